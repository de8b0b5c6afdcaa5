import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { runSupervised } from './run-process';
import type { OutputChunk, RunOptions, RunResult, Supervisor, TaskOutcome } from './run-process';
import { CONTAINMENT_ENV, PROCESS_SPAWNER_ENV } from './spawner-protocol';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol';
import { endRunsOfSpawner } from './containment';
import type { ContainmentMode } from './containment';
import { killProcessGroup } from './task-processes';

/**
 * How to start the spawner's program: from a bundle (the deployed consumer, the local consumer's
 * process), the bundle itself, which runs the spawner when started with PROCESS_SPAWNER_ENV; from
 * source, its entry file through the TypeScript loader.
 */
export function spawnerCommand(file = __filename): string[] {
  if (file.endsWith('.ts')) return ['--import', 'tsx', path.join(path.dirname(file), 'spawner-entry.ts')];
  return [file];
}

/**
 * A young generation of 1 MB semi-spaces instead of V8's 16 MB: the spawner's garbage is a few small
 * messages per task, and the default let it grow from ~45 to ~90 MB under a load, for no gain (2,000
 * `echo` jobs: 3.21 ms of CPU per job either way, ~70 MB after them with this).
 */
const SPAWNER_NODE_FLAGS = ['--max-semi-space-size=1'];

export interface ProcessSpawner {
  /** Runs one program, as {@link runProcess} does, from the spawner's process. */
  run(options: RunOptions): Promise<RunResult>;
  /** Ends the spawner process (it kills the tasks still running). */
  close(): void;
}

/**
 * Starts task processes from a small process of its own (its program: spawner-main.ts, a typed
 * message protocol over IPC: spawner-protocol.ts) instead of this one. A fork copies the
 * parent's page tables, and Node's spawn waits for the child to exec: from a handler process of
 * 200+ MB that blocked the event loop 5–13 ms per task on a busy machine (every other job's store
 * round trips waited behind it); from the spawner (a bare Node, ~40 MB) it costs a fraction, off
 * this event loop. Started on first use, like a cold start; started again if it dies, and the tasks
 * it was running are killed (their runs reject, so their jobs are retried), so the slot count holds.
 */
export function createProcessSpawner(
  options: { command?: string[]; containment?: ContainmentMode } = {},
): ProcessSpawner {
  const command = options.command ?? spawnerCommand();
  let child: ChildProcess | undefined;
  let nextId = 0;
  const pending = new Map<
    number,
    {
      resolve: (outcome: TaskOutcome) => void;
      reject: (error: Error) => void;
      pid?: number;
      onSpawn?: (pid: number) => void;
      onOutput?: (chunk: OutputChunk) => void;
    }
  >();

  function start(): ChildProcess {
    const started = spawn(process.execPath, [...SPAWNER_NODE_FLAGS, ...command], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // Nothing of this process's environment (credentials included); only the role it starts in.
      env: { [PROCESS_SPAWNER_ENV]: '1', [CONTAINMENT_ENV]: options.containment ?? 'auto' },
    });
    started.once('error', (error) => {
      if (child === started) child = undefined;
      for (const [id, run] of pending) {
        pending.delete(id);
        run.reject(new Error(`the process spawner could not start: ${error.message}`));
      }
    });
    started.on('message', (reply: SpawnerReply) => {
      const run = pending.get(reply.id);
      if (!run) return;
      if (reply.type === 'spawned') {
        run.pid = reply.pid;
        run.onSpawn?.(reply.pid);
        return;
      }
      if (reply.type === 'output') {
        run.onOutput?.(reply.chunk);
        return;
      }
      pending.delete(reply.id);
      idle();
      run.resolve(reply.outcome);
    });
    started.once('exit', (code, signal) => {
      if (child === started) child = undefined;
      // Its tasks must not outlive it, escaped descendants included: a retry of their jobs would run
      // beside them.
      if (started.pid !== undefined) void endRunsOfSpawner(started.pid);
      for (const [id, run] of pending) {
        if (run.pid) killProcessGroup(run.pid);
        pending.delete(id);
        run.reject(new Error(`the process spawner exited (${signal ?? `code ${code}`}) while a task ran`));
      }
    });
    return started;
  }

  /** The spawner keeps this process alive only while it runs something. */
  function idle(): void {
    if (pending.size > 0) return;
    child?.unref();
    child?.channel?.unref();
  }

  const supervise: Supervisor = (request, { signal, onSpawn, onOutput }) =>
    new Promise<TaskOutcome>((resolve, reject) => {
      child ??= start();
      child.ref();
      child.channel?.ref();
      const id = (nextId += 1);
      const send = (message: SpawnerRequest) => child?.send(message);
      const onAbort = () => send({ type: 'abort', id });
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          fn(value);
        };
      pending.set(id, { resolve: settle(resolve), reject: settle(reject), onSpawn, onOutput });
      signal?.addEventListener('abort', onAbort, { once: true });
      send({ type: 'run', id, request });
      if (signal?.aborted) onAbort();
    });

  return {
    run: (options) => runSupervised(supervise, options),
    close() {
      // Closing the channel is the spawner's cue to kill the tasks it runs and exit.
      if (child?.connected) child.disconnect();
      else child?.kill('SIGKILL');
      child = undefined;
    },
  };
}
