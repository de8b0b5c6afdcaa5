import { RETENTION_BATCH, startRetention } from '../../../lib/local/retention';

describe('retention of the local store', () => {
  it('removes in batches until a batch comes back short, and says how many went', async () => {
    const left = { count: 2 * RETENTION_BATCH + 7 };
    const calls: Array<{ before: string; limit: number }> = [];
    const pruned: number[] = [];
    const retention = startRetention({
      store: {
        async pruneFinished(before, limit) {
          calls.push({ before, limit });
          const removed = Math.min(limit, left.count);
          left.count -= removed;
          return removed;
        },
      },
      retentionDays: 30,
      firstAfterMs: 60_000,
      pauseMs: 1,
      onPruned: (count) => pruned.push(count),
    });
    await expect(retention.sweep()).resolves.toBe(2 * RETENTION_BATCH + 7);
    await retention.stop();
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.limit === RETENTION_BATCH)).toBe(true);
    const cutoff = Date.parse(calls[0]!.before);
    expect(Math.abs(Date.now() - 30 * 86_400_000 - cutoff)).toBeLessThan(5000);
    expect(pruned).toEqual([2 * RETENTION_BATCH + 7]);
  });
});
