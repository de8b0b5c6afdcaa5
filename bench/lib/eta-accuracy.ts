import { median, percentile } from './stats';

/**
 * How good the ETA of a submit is: jobs submitted in one go (a backlog), each job's predicted start
 * (the 202's `eta.startAt`) against its actual start (`startedAt` once it ran). Reports the median
 * and the 90th percentile of |predicted − actual|, in seconds, per load.
 */
interface Load {
  name: string;
  jobs: Array<{ task: string; input: Record<string, unknown> }>;
}

const repeat = (n: number, task: string, input: Record<string, unknown>) =>
  Array.from({ length: n }, () => ({ task, input }));

export const ETA_LOADS: Load[] = [
  { name: 'a backlog of 40 x sleep 1', jobs: repeat(40, 'sleep', { seconds: 1 }) },
  {
    name: 'mixed: 36 of sleep 1, sleep 0.3 and echo',
    jobs: Array.from(
      { length: 36 },
      (_, i) =>
        [
          { task: 'sleep', input: { seconds: 1 } },
          { task: 'sleep', input: { seconds: 0.3 } },
          { task: 'echo', input: { text: 'eta' } },
        ][i % 3]!,
    ),
  },
];

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  return (await response.json()) as T;
}

/** Runs one job of each task first, so every task's mean run time is known, as in steady use. */
async function warmUp(url: string, loads: Load[]): Promise<void> {
  const seen = new Map<string, Record<string, unknown>>();
  for (const load of loads)
    for (const job of load.jobs) if (!seen.has(job.task)) seen.set(job.task, job.input);
  for (const [task, input] of seen) {
    await json(`${url}/api/tasks/${task}?wait=20`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
  }
}

export async function etaAccuracy(url: string, loads: Load[] = ETA_LOADS) {
  await warmUp(url, loads);
  const rows = [];
  for (const load of loads) {
    const predicted: Array<{ jobId: string; startAt: number }> = [];
    for (const job of load.jobs) {
      const accepted = await json<{ jobId: string; eta: { startAt: string } }>(
        `${url}/api/tasks/${job.task}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ input: job.input }),
        },
      );
      predicted.push({ jobId: accepted.jobId, startAt: Date.parse(accepted.eta.startAt) });
    }
    const errors: number[] = [];
    for (const { jobId, startAt } of predicted) {
      const job = await json<{ status: string; startedAt: string | null }>(
        `${url}/api/jobs/${jobId}?wait=25`,
      );
      if (job.startedAt) errors.push(Math.abs(Date.parse(job.startedAt) - startAt) / 1000);
    }
    rows.push({
      load: load.name,
      jobs: `${errors.length}/${load.jobs.length} started`,
      medianErrorSeconds: median(errors).toFixed(2),
      p90ErrorSeconds: percentile(errors, 90).toFixed(2),
      target: load.name.startsWith('a backlog') ? 'median ≤ 1.5' : '',
    });
    console.log(`  ${JSON.stringify(rows.at(-1))}`);
  }
  return rows;
}
