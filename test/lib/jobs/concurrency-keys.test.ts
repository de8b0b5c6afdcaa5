import {
  concurrencyKeyProblem,
  ConcurrencyPolicyError,
  keyLoadReader,
  parseConcurrencyPolicy,
  yieldsTo,
} from '../../../lib/jobs/concurrency-keys';
import type { KeyLoad } from '../../../lib/jobs/concurrency-keys';

const row = (key: string | null, running: number, waiting: number, task = 'sleep'): KeyLoad => ({
  key,
  task,
  running,
  waiting,
});
const noLimit = () => undefined;

describe('concurrency keys', () => {
  describe('a key', () => {
    it.each([['tenant-1'], ['a'], ['x'.repeat(128)], ['ünïcødé / with spaces']])('takes %j', (key) => {
      expect(concurrencyKeyProblem(key)).toBeUndefined();
    });

    it.each([[''], ['x'.repeat(129)], [42], [null], ['tab\there'], ['line\nbreak']])('refuses %j', (key) => {
      expect(concurrencyKeyProblem(key)).toMatch(/^concurrencyKey must/);
    });
  });

  describe("a catalogue entry's concurrency", () => {
    it('reads perKey, and absent as no limit', () => {
      expect(parseConcurrencyPolicy(undefined)).toEqual({});
      expect(parseConcurrencyPolicy({ perKey: 2 })).toEqual({ perKey: 2 });
    });

    it.each([
      [[], 'concurrency'],
      [{ perKey: 0 }, 'concurrency.perKey'],
      [{ perKey: 1.5 }, 'concurrency.perKey'],
      [{ perKey: 1001 }, 'concurrency.perKey'],
      [{ total: 2 }, 'concurrency.total'],
    ])('refuses %j, naming %s', (raw, field) => {
      expect(() => parseConcurrencyPolicy(raw)).toThrow(expect.objectContaining({ field }));
      expect(() => parseConcurrencyPolicy(raw)).toThrow(ConcurrencyPolicyError);
    });
  });

  describe('the fair share', () => {
    it('lets a job run when its key runs nothing, or no other key waits', () => {
      expect(yieldsTo([row('a', 0, 40), row('b', 3, 1)], { key: 'a' }, noLimit)).toBeUndefined();
      expect(yieldsTo([row('a', 4, 36)], { key: 'a' }, noLimit)).toBeUndefined();
      expect(yieldsTo([row('a', 4, 36), row('b', 0, 0)], { key: 'a' }, noLimit)).toBeUndefined();
    });

    it('lets a key that runs fewer jobs and has jobs waiting go first', () => {
      expect(yieldsTo([row('a', 3, 36), row('b', 0, 1)], { key: 'a' }, noLimit)).toEqual(row('b', 0, 1));
      // Jobs without a key are one more key.
      expect(yieldsTo([row('a', 2, 10), row(null, 1, 5)], { key: 'a' }, noLimit)).toEqual(row(null, 1, 5));
      expect(yieldsTo([row('a', 1, 10), row(null, 3, 5)], { key: null }, noLimit)).toEqual(row('a', 1, 10));
    });

    it('does not yield on equal counts, so two busy keys alternate', () => {
      expect(yieldsTo([row('a', 2, 10), row('b', 2, 10)], { key: 'a' }, noLimit)).toBeUndefined();
    });

    it('yields to the key that runs the fewest', () => {
      const load = [row('a', 3, 10), row('b', 2, 10), row('c', 0, 1)];
      expect(yieldsTo(load, { key: 'a' }, noLimit)?.key).toBe('c');
    });

    it('sums a key over its tasks', () => {
      const load = [row('a', 1, 5, 'echo'), row('a', 1, 5, 'sleep'), row('b', 1, 3)];
      expect(yieldsTo(load, { key: 'a' }, noLimit)?.key).toBe('b');
    });

    it('never yields to a key whose waiting jobs its task’s perKey holds back (the slot would idle)', () => {
      const perKeyOne = (task: string) => (task === 'sleep' ? 1 : undefined);
      expect(yieldsTo([row('a', 3, 10, 'echo'), row('b', 1, 20)], { key: 'a' }, perKeyOne)).toBeUndefined();
      expect(yieldsTo([row('a', 3, 10, 'echo'), row('b', 0, 20)], { key: 'a' }, perKeyOne)?.key).toBe('b');
    });
  });

  describe('the load as read', () => {
    it('is read once for the deliveries within its time, then again; a failed read is not kept', async () => {
      let reads = 0;
      let fail = false;
      const view = keyLoadReader(async () => {
        reads += 1;
        if (fail) throw new Error('store down');
        return [row('a', 1, 1)];
      }, 100);
      await Promise.all([view.load(1000), view.load(1050), view.load(1099)]);
      expect(reads).toBe(1);
      fail = true;
      await expect(view.load(1100)).rejects.toThrow('store down');
      fail = false;
      await expect(view.load(1101)).resolves.toEqual([row('a', 1, 1)]);
      expect(reads).toBe(3);
    });

    it('counts the jobs started here since the read, until the next read', async () => {
      const view = keyLoadReader(async () => [row('a', 0, 3), row('b', 0, 1)], 100);
      await view.load(1000);
      view.started('a', 'sleep');
      view.started('c', 'echo');
      await expect(view.load(1010)).resolves.toEqual([
        row('a', 1, 2),
        row('b', 0, 1),
        row('c', 1, 0, 'echo'),
      ]);
      // A second job of a now sees b, which runs nothing, waiting: it lets b go first.
      expect(yieldsTo(await view.load(1020), { key: 'a' }, noLimit)?.key).toBe('b');
      await expect(view.load(1200)).resolves.toEqual([row('a', 0, 3), row('b', 0, 1)]);
    });
  });
});
