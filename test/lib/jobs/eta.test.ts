import { estimateEta } from '../../../lib/jobs/eta';

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
