import { holdLease } from '../../../../lib/jobs/attempt/lease';
import { silentLogger } from '../../../helpers/services';

/** A message keeper and a store that record what the lease asks of them. */
function recorders() {
  const visibilities: Array<{ receiptHandle: string; seconds: number }> = [];
  const claims: Array<{ jobId: string; attempt: number; leaseUntil: string }> = [];
  return {
    visibilities,
    claims,
    keepMessage: async (seconds: number) => {
      visibilities.push({ receiptHandle: 'rh-1', seconds });
    },
    store: {
      updateClaim: async (jobId: string, attempt: number, patch: { leaseUntil?: string }) => {
        claims.push({ jobId, attempt, leaseUntil: patch.leaseUntil ?? '' });
        return true;
      },
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('holdLease (a running attempt holds its message and its claim)', () => {
  const base = { jobId: 'job-1', attempt: 2, logger: silentLogger };

  it('costs a short attempt no visibility call: one that ends within the grace never cuts it', async () => {
    const { keepMessage, store, visibilities, claims } = recorders();
    const lease = holdLease({ ...base, keepMessage, store: store as never, leaseMs: 30_000, graceMs: 200 });
    await sleep(20);
    await lease.stop();
    await sleep(250);
    expect(visibilities).toEqual([]);
    expect(claims).toEqual([]);
  });

  it('cuts the visibility to the lease once the attempt has run for the grace, then renews it with the claim', async () => {
    const { keepMessage, store, visibilities, claims } = recorders();
    const lease = holdLease({ ...base, keepMessage, store: store as never, leaseMs: 3000, graceMs: 50 });
    await sleep(150);
    expect(visibilities).toEqual([{ receiptHandle: 'rh-1', seconds: 3 }]);
    expect(claims).toEqual([]);
    await sleep(1000); // a third of the lease: both renewed
    await lease.stop();
    expect(visibilities.length).toBe(2);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ jobId: 'job-1', attempt: 2 });
    expect(Date.parse(claims[0]!.leaseUntil)).toBeGreaterThan(Date.now() + 2000);
    // Stopped: nothing more.
    await sleep(1100);
    expect(visibilities.length).toBe(2);
  });
});
