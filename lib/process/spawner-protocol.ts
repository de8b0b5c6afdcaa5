import type { OutputChunk, TaskOutcome, TaskRequest } from './run-process';

/**
 * The process spawner's messages, over its IPC channel. One `run` starts one task; `spawned` tells
 * its pid once it runs; `output` carries what it wrote while it runs (at most every 500 ms per
 * stream); `done` ends it. `abort` cancels a run (its process group is stopped).
 */
export type SpawnerRequest =
  { type: 'run'; id: number; request: TaskRequest } | { type: 'abort'; id: number };

export type SpawnerReply =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'output'; id: number; chunk: OutputChunk }
  | { type: 'done'; id: number; outcome: TaskOutcome };

/**
 * Set in the spawner's environment: the consumer's bundle, started with it, runs the spawner's loop
 * instead of being a handler (one deployed file serves both; see handlers/sqs/run-jobs.ts).
 */
export const PROCESS_SPAWNER_ENV = 'SPAWN_QUEUE_PROCESS_SPAWNER';

/** Set in the spawner's environment too: how it contains jobs (ContainmentMode). */
export const CONTAINMENT_ENV = 'SPAWN_QUEUE_CONTAINMENT';
