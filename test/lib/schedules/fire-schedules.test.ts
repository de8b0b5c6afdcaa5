import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { fireDueSchedules, MISSED_AFTER_MS } from '../../../lib/schedules/fire-schedules';
import type { FiringDependencies } from '../../../lib/schedules/fire-schedules';
import { createSchedule } from '../../../lib/schedules/schedule-lifecycle';
import type { Services } from '../../../lib/services';
import { STORE_KINDS } from '../../helpers/job-stores';
import { aSchedule } from '../../helpers/jobs';
import { silentLogger, unitServices } from '../../helpers/services';

type Send = Awaited<ReturnType<typeof unitServices>>['send'];

/** The firing pass on a real store (both kinds), the jobs queue's send a mock. */
describe.each(STORE_KINDS)('firing schedules (%s store)', (kind) => {
  let services: Services;
  let send: Send;
  let cleanup: () => Promise<void>;
  let deps: FiringDependencies;
  const at = (iso: string) => new Date(iso);

  beforeEach(async () => {
    ({ services, send, cleanup } = await unitServices({ store: kind }));
    deps = { ...services, log: silentLogger };
  });
  afterEach(async () => {
    await cleanup();
  });

  const jobsSent = () =>
    send.mock.calls.flatMap(([command]) =>
      ((command as SendMessageBatchCommand).input.Entries ?? []).map(
        (entry) => JSON.parse(entry.MessageBody ?? '{}') as { jobId: string },
      ),
    );

  it('makes a job at a fire time, with its schedule and fire time, then moves the schedule on', async () => {
    const made = await createSchedule(
      deps,
      { task: 'echo', input: { text: 'tick' }, cron: '*/5 * * * *' },
      at('2026-12-07T10:01:00Z'),
    );
    expect(made.nextRunAt).toBe('2026-12-07T10:05:00.000Z');
    await expect(fireDueSchedules(deps, at('2026-12-07T10:04:59Z'))).resolves.toEqual({
      fired: 0,
      skipped: 0,
      missed: 0,
    });
    await expect(fireDueSchedules(deps, at('2026-12-07T10:05:01Z'))).resolves.toEqual({
      fired: 1,
      skipped: 0,
      missed: 0,
    });
    const [sent] = jobsSent();
    await expect(services.store.get(sent!.jobId)).resolves.toMatchObject({
      task: 'echo',
      input: { text: 'tick' },
      status: 'queued',
      scheduleId: made.id,
      scheduledFor: '2026-12-07T10:05:00.000Z',
    });
    await expect(services.schedules.get(made.id)).resolves.toMatchObject({
      nextRunAt: '2026-12-07T10:10:00.000Z',
      lastRunAt: '2026-12-07T10:05:00.000Z',
      lastJobId: sent!.jobId,
      runs: 1,
      version: 2,
    });
  });

  it('makes one job per fire time with two schedulers at once, and after a pass that stopped half-way', async () => {
    const made = aSchedule({ nextRunAt: '2026-12-07T10:05:00.000Z', cron: '*/5 * * * *' });
    await services.schedules.create(made);
    const now = at('2026-12-07T10:05:02Z');
    const results = await Promise.all([fireDueSchedules(deps, now), fireDueSchedules(deps, now)]);
    expect(results.reduce((sum, r) => sum + r.fired, 0)).toBeGreaterThanOrEqual(1);
    expect(new Set(jobsSent().map((job) => job.jobId)).size).toBe(1);
    // A pass that made the job and stopped before moving the schedule on: the next makes none.
    await services.schedules.replace({ ...made, version: 9 }, 2);
    await fireDueSchedules(deps, now);
    expect(new Set(jobsSent().map((job) => job.jobId)).size).toBe(1);
    expect((await services.store.list({ limit: 10 })).jobs).toHaveLength(1);
  });

  it('skips a fire time whose previous run has not finished (overlap: skip), not with overlap: allow', async () => {
    const skipping = aSchedule({ nextRunAt: '2026-12-07T10:01:00.000Z' });
    const allowing = aSchedule({ nextRunAt: '2026-12-07T10:01:00.000Z', overlap: 'allow' });
    await services.schedules.create(skipping);
    await services.schedules.create(allowing);
    await fireDueSchedules(deps, at('2026-12-07T10:01:01Z'));
    // Their first jobs are still queued at the next fire time.
    await expect(fireDueSchedules(deps, at('2026-12-07T10:02:01Z'))).resolves.toEqual({
      fired: 1,
      skipped: 1,
      missed: 0,
    });
    await expect(services.schedules.get(skipping.id)).resolves.toMatchObject({ runs: 1, skipped: 1 });
    await expect(services.schedules.get(allowing.id)).resolves.toMatchObject({ runs: 2, skipped: 0 });
  });

  it('does not run the fire times missed while nothing fired, unless the schedule catches up', async () => {
    const down = aSchedule({ nextRunAt: '2026-12-07T10:01:00.000Z' });
    const catching = aSchedule({ nextRunAt: '2026-12-07T10:01:00.000Z', catchUp: true, overlap: 'allow' });
    await services.schedules.create(down);
    await services.schedules.create(catching);
    // Back at 10:05:30: 10:01-10:05 have passed; 10:05 is within MISSED_AFTER_MS, the rest are not.
    expect(MISSED_AFTER_MS).toBeGreaterThan(30_000);
    const back = at('2026-12-07T10:05:30Z');
    await expect(fireDueSchedules(deps, back)).resolves.toEqual({ fired: 1 + 5, skipped: 0, missed: 4 });
    await expect(services.schedules.get(down.id)).resolves.toMatchObject({
      runs: 1,
      missed: 4,
      lastRunAt: '2026-12-07T10:05:00.000Z',
      nextRunAt: '2026-12-07T10:06:00.000Z',
    });
    await expect(services.schedules.get(catching.id)).resolves.toMatchObject({ runs: 5, missed: 0 });
    // Down for an hour: nothing of it runs.
    await expect(fireDueSchedules(deps, at('2026-12-07T11:06:00Z'))).resolves.toMatchObject({
      missed: 61 - 1,
    });
  });

  it('fires nothing of a paused schedule, and leaves a schedule due when the queue fails (the next pass makes its job)', async () => {
    await services.schedules.create(aSchedule({ paused: true, nextRunAt: null }));
    const due = aSchedule({ nextRunAt: '2026-12-07T10:01:00.000Z' });
    await services.schedules.create(due);
    send.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(fireDueSchedules(deps, at('2026-12-07T10:01:01Z'))).resolves.toEqual({
      fired: 0,
      skipped: 0,
      missed: 0,
    });
    await expect(services.schedules.get(due.id)).resolves.toMatchObject({ version: 1, runs: 0 });
    await expect(fireDueSchedules(deps, at('2026-12-07T10:01:02Z'))).resolves.toEqual({
      fired: 1,
      skipped: 0,
      missed: 0,
    });
  });
});
