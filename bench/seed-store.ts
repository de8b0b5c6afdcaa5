/**
 * Seeds a file job store with finished jobs, in a process of its own: the benchmark's load
 * generator must not carry the heap of 50,000 writes into the loads it measures afterwards.
 * `tsx bench/seed-store.ts <dir> <count> <firstAtMs> <stepMs>`
 */
import { seedFinishedJobs } from './lib/seed-store';

const [dir, count, firstAtMs, stepMs] = process.argv.slice(2);
void seedFinishedJobs(dir!, { count: Number(count), firstAtMs: Number(firstAtMs), stepMs: Number(stepMs) });
