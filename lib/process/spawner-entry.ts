/**
 * The process spawner as a program of its own, from source (tests and tools that run TypeScript
 * through a loader). A bundle starts the spawner from itself instead (handlers/sqs/run-jobs.ts).
 */
import { runProcessSpawner } from './spawner-main';

runProcessSpawner();
