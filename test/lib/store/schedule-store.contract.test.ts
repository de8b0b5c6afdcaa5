import { loadConfig } from '../../../lib/config';
import { newJobId } from '../../../lib/jobs/job-id';
import type { ScheduleStore } from '../../../lib/schedules/schedule-store';
import { createScheduleStore } from '../../../lib/store/create-job-store';
import { STORE_KINDS, testStore } from '../../helpers/job-stores';
import type { TestStore } from '../../helpers/job-stores';
import { aSchedule } from '../../helpers/jobs';

/** Every behaviour of the schedule store port, held to each adapter alike. */
describe.each(STORE_KINDS)('schedule store contract (%s)', (kind) => {
  let subject: TestStore;
  let schedules: ScheduleStore;
  const opened: ScheduleStore[] = [];
  const open = () => {
    const store = createScheduleStore(loadConfig(subject.env));
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    subject = await testStore(kind);
    schedules = open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await subject.cleanup();
  });

  it('creates, reads, counts and removes a schedule', async () => {
    const schedule = aSchedule();
    await schedules.create(schedule);
    await expect(schedules.get(schedule.id)).resolves.toEqual(schedule);
    await expect(schedules.get(newJobId())).resolves.toBeUndefined();
    await expect(schedules.count()).resolves.toBe(1);
    await expect(schedules.remove(schedule.id)).resolves.toBe(true);
    await expect(schedules.remove(schedule.id)).resolves.toBe(false);
    await expect(schedules.count()).resolves.toBe(0);
  });

  it('lists oldest first, a page at a time', async () => {
    const made = [aSchedule(), aSchedule(), aSchedule()].sort((a, b) => a.id.localeCompare(b.id));
    for (const schedule of made) await schedules.create(schedule);
    const first = await schedules.list({ limit: 2 });
    expect(first.schedules.map((s) => s.id)).toEqual([made[0]!.id, made[1]!.id]);
    const rest = await schedules.list({ limit: 2, cursor: first.nextCursor });
    expect(rest).toEqual({ schedules: [made[2]] });
  });

  it('finds the schedules due (not paused, next fire time come), soonest first', async () => {
    const at = (ms: number) => new Date(Date.parse('2026-12-07T12:00:00Z') + ms).toISOString();
    const late = aSchedule({ nextRunAt: at(-60_000) });
    const now = aSchedule({ nextRunAt: at(0) });
    const future = aSchedule({ nextRunAt: at(60_000) });
    const paused = aSchedule({ paused: true, nextRunAt: null });
    for (const schedule of [now, future, paused, late]) await schedules.create(schedule);
    const due = await schedules.due(at(0), 10);
    expect(due.map((s) => s.id)).toEqual([late.id, now.id]);
    await expect(schedules.due(at(0), 1)).resolves.toEqual([late]);
  });

  it('changes a schedule as a compare-and-set on its version: of two writers at once, one wins', async () => {
    const schedule = aSchedule();
    await schedules.create(schedule);
    const results = await Promise.all([
      schedules.replace({ ...schedule, version: 2, runs: 1 }, 1),
      open().replace({ ...schedule, version: 2, runs: 2 }, 1),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await schedules.get(schedule.id);
    expect(stored?.version).toBe(2);
    await expect(schedules.replace({ ...schedule, version: 3 }, 1)).resolves.toBe(false);
    // Paused: no next fire time, never due.
    await expect(
      schedules.replace({ ...stored!, version: 3, paused: true, nextRunAt: null }, 2),
    ).resolves.toBe(true);
    await expect(schedules.due(new Date(Date.now() + 86_400_000).toISOString(), 10)).resolves.toEqual([]);
  });
});
