/**
 * Seeds a file job store with finished jobs, in a process of its own: the benchmark's load
 * generator must not carry the heap of the writes into the loads it measures afterwards.
 * `tsx bench/seed-store.ts <dir> <count> <firstAtMs> <stepMs> [transitions|rows]`: through the
 * store's transitions (statistics per minute included), or as rows written straight (a long history,
 * fast); prints the sample of ids written as JSON.
 */
import { seedFinishedJobs } from './lib/seed-store';
import { seedHistory } from './lib/seed-history';

const [dir, count, firstAtMs, stepMs, how = 'transitions'] = process.argv.slice(2);
const options = { count: Number(count), firstAtMs: Number(firstAtMs), stepMs: Number(stepMs) };
void (how === 'rows' ? seedHistory(dir!, options) : seedFinishedJobs(dir!, options).then(() => [])).then(
  (ids) => process.stdout.write(JSON.stringify(ids)),
);
