import {
  createCreateScheduleHandler,
  createDeleteScheduleHandler,
  createGetScheduleHandler,
  createListSchedulesHandler,
  createUpdateScheduleHandler,
} from '../../../../lib/http/handlers/schedules';
import { newJobId } from '../../../../lib/jobs/job-id';
import type { Services } from '../../../../lib/services';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { STORE_KINDS } from '../../../helpers/job-stores';
import { unitServices } from '../../../helpers/services';

type View = Record<string, unknown> & { id: string; nextRunAt: string | null };

describe.each(STORE_KINDS)('schedule handlers (%s store)', (kind) => {
  let services: Services;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ services, cleanup } = await unitServices({ store: kind }));
  });
  afterEach(async () => {
    await cleanup();
  });

  const create = (body: unknown) =>
    createCreateScheduleHandler(services)(
      apiEvent({ method: 'POST', path: '/api/schedules', body }),
      context,
    );
  const get = (id: string) =>
    createGetScheduleHandler(services)(apiEvent({ pathParameters: { id } }), context);
  const patch = (id: string, body: unknown) =>
    createUpdateScheduleHandler(services)(
      apiEvent({ method: 'PATCH', pathParameters: { id }, body }),
      context,
    );

  it('makes a schedule (201, its next fire time, a Location), reads, lists, pauses, resumes and deletes it', async () => {
    const before = Date.now();
    const made = await create({
      task: 'echo',
      input: { text: 'tick' },
      cron: '* * * * *',
      timezone: 'Europe/Paris',
    });
    expect(made.statusCode).toBe(201);
    const view = bodyOf(made) as View;
    expect(made.headers?.location).toBe(`/api/schedules/${view.id}`);
    expect(view).toMatchObject({
      task: 'echo',
      cron: '* * * * *',
      timezone: 'Europe/Paris',
      overlap: 'skip',
      paused: false,
      runs: 0,
    });
    const next = Date.parse(view.nextRunAt!);
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(60_000);
    expect(new Date(next).getUTCSeconds()).toBe(0);
    await expect(get(view.id).then(bodyOf)).resolves.toEqual(view);
    const list = await createListSchedulesHandler(services)(apiEvent({ path: '/api/schedules' }), context);
    expect(bodyOf(list)).toMatchObject({ schedules: [view], nextCursor: null });
    const paused = bodyOf(await patch(view.id, { paused: true })) as View;
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    const resumed = bodyOf(await patch(view.id, { paused: false, cron: '0 9 * * *' })) as View;
    expect(resumed).toMatchObject({ paused: false, cron: '0 9 * * *' });
    expect(new Date(resumed.nextRunAt!).getUTCHours()).toBe(8); // 09:00 in Paris in December
    const deleted = await createDeleteScheduleHandler(services)(
      apiEvent({ method: 'DELETE', pathParameters: { id: view.id } }),
      context,
    );
    expect(deleted.statusCode).toBe(204);
    await expect(get(view.id)).resolves.toMatchObject({ statusCode: 404 });
  });

  it.each([
    ['no cron', { task: 'echo', input: { text: 'a' } }, 400, 'invalid_schedule', /cron is required/],
    [
      'a cron with seconds',
      { task: 'echo', input: { text: 'a' }, cron: '* * * * * *' },
      400,
      'invalid_schedule',
      /five fields/,
    ],
    [
      'an unknown time zone',
      { task: 'echo', input: { text: 'a' }, cron: '* * * * *', timezone: 'Moon/Base' },
      400,
      'invalid_schedule',
      /IANA/,
    ],
    ['an unknown task', { task: 'rm', cron: '* * * * *' }, 404, 'unknown_task', /no task named "rm"/],
    [
      'input the task refuses',
      { task: 'sleep', input: { seconds: 9999 }, cron: '* * * * *' },
      400,
      'invalid_input',
      /input\.seconds/,
    ],
    [
      'an unknown field',
      { task: 'echo', input: { text: 'a' }, cron: '* * * * *', every: '5m' },
      400,
      'invalid_schedule',
      /every is not a field/,
    ],
  ])('answers %s with a clear 4xx and makes nothing', async (_name, body, status, code, message) => {
    const response = await create(body);
    expect(response.statusCode).toBe(status);
    const error = (bodyOf(response) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    await expect(services.schedules.count()).resolves.toBe(0);
  });

  it('answers a malformed id 400, an unknown one 404, and a bad PATCH 400 without changing the schedule', async () => {
    await expect(get('nope')).resolves.toMatchObject({ statusCode: 400 });
    const unknown = await get(newJobId());
    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown)).toMatchObject({ error: { code: 'schedule_not_found' } });
    const view = bodyOf(await create({ task: 'echo', input: { text: 'a' }, cron: '* * * * *' })) as View;
    const bad = await patch(view.id, { cron: 'every minute' });
    expect(bad.statusCode).toBe(400);
    const taskChange = await patch(view.id, { task: 'sleep' });
    expect(bodyOf(taskChange)).toMatchObject({
      error: { code: 'invalid_schedule', message: expect.stringMatching(/cannot change/) },
    });
    await expect(get(view.id).then(bodyOf)).resolves.toEqual(view);
  });
});
