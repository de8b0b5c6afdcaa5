/**
 * A second process on a job store, for the contract suite's cross-process races: it opens the store
 * the environment names and moves each job given on the command line from `running` to the status
 * given, with the caller's copy of each record (as a runner holding it would), then prints one line
 * of JSON: the jobs it won. Started as `node --import tsx test/helpers/store-racer.ts <to> <id>...`.
 */
import { loadConfig } from '../../lib/config';
import type { JobStatus } from '../../lib/jobs/job-record';
import { createJobStore } from '../../lib/store/create-job-store';

async function main(): Promise<void> {
  const [to, ...ids] = process.argv.slice(2) as [JobStatus, ...string[]];
  const store = createJobStore(loadConfig());
  const copies = await Promise.all(ids.map((id) => store.get(id)));
  // Wait for the go, so both processes race on the same jobs at the same moment.
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const won: string[] = [];
  for (const [i, id] of ids.entries()) {
    try {
      await store.transition(id, to, { finishedAt: new Date().toISOString() }, { from: copies[i] });
      won.push(id);
    } catch {
      // the other process won this one
    }
  }
  process.stdout.write(`${JSON.stringify(won)}\n`);
  await store.close();
}

void main();
