import { aheadInTurn, estimateEta } from '../../../lib/jobs/eta';

/** The ETA as the slots would serve the queue, from the running jobs, the jobs ahead and run times. */
describe('estimateEta', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const oneSecond = () => 1000;

  it('starts a job at once when a slot is free, and finishes it its task’s time later', () => {
    expect(
      estimateEta({
        now,
        slots: 4,
        running: [],
        ahead: 0,
        runMs: (task) => (task === 'slow' ? 5000 : 1000),
        task: 'slow',
      }),
    ).toEqual({ startAtMs: now, finishAtMs: now + 5000 });
  });

  it('serves the jobs ahead on the slot that frees first: 9 one-second jobs ahead on 4 slots start it at 2 s', () => {
    expect(estimateEta({ now, slots: 4, running: [], ahead: 9, runMs: oneSecond, task: 'x' })).toEqual({
      startAtMs: now + 2000,
      finishAtMs: now + 3000,
    });
  });

  it('counts what the running jobs still need, never less than now', () => {
    const startedAgo = (ms: number) => ({ task: 'x', startedAt: new Date(now - ms).toISOString() });
    const running = [startedAgo(200), startedAgo(600), startedAgo(900), startedAgo(5000)];
    // Slots free at +800, +400, +100 and now (the last one overran its mean): one job ahead takes now.
    expect(estimateEta({ now, slots: 4, running, ahead: 1, runMs: oneSecond, task: 'x' })).toEqual({
      startAtMs: now + 100,
      finishAtMs: now + 1100,
    });
  });

  it('never starts a delayed job before its time', () => {
    const notBeforeMs = now + 60_000;
    expect(
      estimateEta({ now, slots: 4, running: [], ahead: 0, runMs: oneSecond, task: 'x', notBeforeMs }),
    ).toEqual({
      startAtMs: notBeforeMs,
      finishAtMs: notBeforeMs + 1000,
    });
  });
});

/** The jobs ahead of one as the fair share serves concurrency keys in turn. */
describe('aheadInTurn', () => {
  const row = (key: string | null, waiting: number) => ({ key, task: 'sleep', running: 0, waiting });

  it('is the queue’s order when no other key waits', () => {
    expect(aheadInTurn([], 'a', 0, 7)).toBe(7);
    expect(aheadInTurn([row('a', 40)], 'a', 39, 39)).toBe(39);
    expect(aheadInTurn([row(null, 12)], null, 11, 11)).toBe(11);
  });

  it('puts a key with nothing ahead of its own after one job of each other key, not behind their backlog', () => {
    expect(aheadInTurn([row('big', 40)], 'small', 0, 40)).toBe(1);
    expect(aheadInTurn([row('big', 40), row('other', 3), row(null, 10)], 'small', 0, 53)).toBe(3);
  });

  it('takes of each other key at most one more than its own key has ahead', () => {
    expect(aheadInTurn([row('big', 40), row('small', 2)], 'small', 2, 42)).toBe(2 + 3);
    expect(aheadInTurn([row('big', 40), row('small', 1)], 'big', 39, 40)).toBe(39 + 1);
  });
});
