import { createCatalogue } from '../../../lib/tasks/catalogue';
import { cronProblem, fireTimesBetween, isTimeZone, nextFireAfter } from '../../../lib/schedules/schedule';
import { readScheduleFields } from '../../../lib/schedules/schedule-input';
import { ScheduleInputError } from '../../../lib/schedules/schedule-errors';
import { TaskInputError, UnknownTaskError } from '../../../lib/tasks/task-errors';

const catalogue = createCatalogue();

describe('a schedule', () => {
  describe('its cron expression and time zone', () => {
    it.each(['* * * * *', '*/5 * * * *', '0 9 * * 1-5', '30 2 1 * *', '0 0 * * SUN'])('takes %j', (cron) => {
      expect(cronProblem(cron, 'UTC')).toBeUndefined();
    });

    it.each([
      ['* * * *', /five fields/],
      ['*/5 * * * * *', /five fields/],
      ['61 * * * *', /not valid/],
      ['hello world * * *', /not valid/],
    ])('refuses %j', (cron, message) => {
      expect(cronProblem(cron, 'UTC')).toMatch(message);
    });

    it('knows IANA time zones', () => {
      expect(isTimeZone('Europe/Paris')).toBe(true);
      expect(isTimeZone('UTC')).toBe(true);
      expect(isTimeZone('Mars/Olympus')).toBe(false);
    });

    it('fires in its time zone, summer time included', () => {
      const nine = { cron: '0 9 * * *', timezone: 'Europe/Paris', paused: false };
      // 9:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer.
      expect(nextFireAfter(nine, new Date('2026-12-07T20:00:00Z'))?.toISOString()).toBe(
        '2026-12-08T08:00:00.000Z',
      );
      expect(nextFireAfter(nine, new Date('2026-07-07T20:00:00Z'))?.toISOString()).toBe(
        '2026-07-08T07:00:00.000Z',
      );
      expect(nextFireAfter({ ...nine, paused: true }, new Date())).toBeNull();
    });

    it('lists the fire times in a span, oldest first, at most as many as asked', () => {
      const every5 = { cron: '*/5 * * * *', timezone: 'UTC' };
      const times = fireTimesBetween(
        every5,
        new Date('2026-12-07T10:00:00Z'),
        new Date('2026-12-07T10:20:00Z'),
        10,
      );
      expect(times.map((t) => t.toISOString().slice(11, 16))).toEqual(['10:05', '10:10', '10:15', '10:20']);
      expect(
        fireTimesBetween(every5, new Date('2026-12-07T10:00:00Z'), new Date('2026-12-08T10:00:00Z'), 3),
      ).toHaveLength(3);
    });
  });

  describe('the fields a POST or a PATCH gives', () => {
    it('takes a task, its input and a cron, with defaults for the rest', () => {
      expect(
        readScheduleFields({ task: 'echo', input: { text: 'hi' }, cron: '* * * * *' }, catalogue),
      ).toEqual({
        task: 'echo',
        input: { text: 'hi' },
        cron: '* * * * *',
        timezone: 'UTC',
        overlap: 'skip',
        catchUp: false,
        paused: false,
      });
    });

    it.each([
      [{ cron: '* * * * *' }, 'task'],
      [{ task: 'echo', input: { text: 'a' } }, 'cron'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * *' }, 'cron'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * * * *', timezone: 'Nowhere/City' }, 'timezone'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * * * *', overlap: 'queue' }, 'overlap'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * * * *', paused: 'yes' }, 'paused'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * * * *', concurrencyKey: '' }, 'concurrencyKey'],
      [{ task: 'echo', input: { text: 'a' }, cron: '* * * * *', every: 5 }, 'every'],
      [[], 'body'],
    ])('refuses %j, naming %s', (body, field) => {
      expect(() => readScheduleFields(body, catalogue)).toThrow(ScheduleInputError);
      expect(() => readScheduleFields(body, catalogue)).toThrow(expect.objectContaining({ field }));
    });

    it('refuses an unknown task and an input the task refuses, as a submit does', () => {
      expect(() => readScheduleFields({ task: 'rm', cron: '* * * * *' }, catalogue)).toThrow(
        UnknownTaskError,
      );
      expect(() =>
        readScheduleFields({ task: 'sleep', input: { seconds: -1 }, cron: '* * * * *' }, catalogue),
      ).toThrow(TaskInputError);
    });

    it('changes only what a PATCH names, never the task', () => {
      const current = readScheduleFields(
        { task: 'echo', input: { text: 'a' }, cron: '* * * * *', concurrencyKey: 'k' },
        catalogue,
      );
      expect(readScheduleFields({ paused: true }, catalogue, current)).toEqual({ ...current, paused: true });
      expect(readScheduleFields({ concurrencyKey: null }, catalogue, current)).not.toHaveProperty(
        'concurrencyKey',
      );
      expect(() => readScheduleFields({ task: 'sleep' }, catalogue, current)).toThrow(/cannot change/);
    });
  });
});
