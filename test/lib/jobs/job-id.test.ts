import { isJobId, jobIdForMessage, jobIdTime, newJobId } from '../../../lib/jobs/job-id';

describe('job ids', () => {
  it('are UUID v7 that sort by creation time', () => {
    const early = newJobId(1_700_000_000_000);
    const late = newJobId(1_700_000_000_001);
    expect(isJobId(early)).toBe(true);
    expect(early < late).toBe(true);
    expect(jobIdTime(early)).toBe(1_700_000_000_000);
  });

  it('derive the same id from the same message, so a redelivery is the same job', () => {
    const a = jobIdForMessage('3b0c1e2a-0000-4000-8000-000000000001', 1_700_000_000_000);
    expect(jobIdForMessage('3b0c1e2a-0000-4000-8000-000000000001', 1_700_000_000_000)).toBe(a);
    expect(jobIdForMessage('3b0c1e2a-0000-4000-8000-000000000002', 1_700_000_000_000)).not.toBe(a);
    expect(isJobId(a)).toBe(true);
  });

  it.each(['', '../etc/passwd', '01a22357-c75e-4952-a5f3-52febc9b27c8', 'x'.repeat(36), 42, null])(
    'reject %p',
    (value) => {
      expect(isJobId(value)).toBe(false);
    },
  );
});
