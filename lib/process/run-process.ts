import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createContainment } from './containment';
import type { Containment, Enclosure } from './containment';
import { SpawnError } from './process-errors';
import { reasonOf } from '../reason-of';
import type { JobUsage, LimitExceeded, LimitScopes, TaskLimits } from './task-limits';
import { boundaryAtOrBefore } from './utf8';

export interface RunOptions {
  /** Absolute path of the program; never a shell command line. */
  executable: string;
  args?: readonly string[];
  stdin?: string;
  timeoutMs: number;
  /** Bytes kept of stdout and of stderr each; the rest is read and dropped. */
  maxOutputBytes: number;
  /** Names of variables passed through from `parentEnv` besides the fixed minimal set. */
  env?: readonly string[];
  parentEnv?: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL when the process group is stopped. */
  killGraceMs?: number;
  /** Aborting kills the whole process group (cancellation). */
  signal?: AbortSignal;
  /** Parent of the per-run working directory. */
  workRoot?: string;
  /** Called once the process is running. */
  onSpawn?: (pid: number) => void;
  /** Called with the output while the process runs (see {@link OutputChunk}); not for its last part. */
  onOutput?: (chunk: OutputChunk) => void;
  /** The task's limits (memory, CPU, processes), held by the containment where it can. */
  limits?: TaskLimits;
}

export type OutputStream = 'stdout' | 'stderr';

/**
 * A piece of a running task's output, as text: `offset` is where it starts, in bytes of the UTF-8
 * text of that stream (the text the finished record keeps), so pieces add up to that text. A
 * character cut by a read is kept for the next piece, never split.
 */
export interface OutputChunk {
  stream: OutputStream;
  offset: number;
  data: string;
}

/** A running task's output is handed on at most this often per stream... */
export const OUTPUT_FLUSH_MS = 500;
/** ...or as soon as this much is waiting; no piece is larger. */
export const OUTPUT_CHUNK_BYTES = 16 * 1024;

/** What a run produced: data, whatever the outcome (execa's result shape). */
export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  /** What the job's processes used (all of them where a cgroup measures it). */
  usage?: JobUsage;
  /** The limit it went over (it was stopped, or the kernel killed it for memory). */
  limitExceeded?: LimitExceeded;
  /** How each of the task's limits held: for the whole job, per process, or not at all. */
  limitsHeld?: LimitScopes;
}

const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Every run's working directory starts with this name (how monitors recognise task processes). */
export const WORK_DIR_PREFIX = 'spawn-queue-job-';

/** A task's environment, but for HOME and TMPDIR (its working directory, added where it is made). */
function minimalEnv(allowed: readonly string[], parent: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: BASE_PATH, LANG: 'C.UTF-8' };
  for (const name of allowed) {
    // Credentials never reach a task, even if a catalogue entry asks for them.
    if (name.startsWith('AWS_')) continue;
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** One run as plain data: what `superviseTask` needs, so it can cross to the process spawner. */
export interface TaskRequest {
  executable: string;
  args: string[];
  /** Where the run's own working directory is made (and removed once it has ended). */
  workRoot: string;
  /** Its environment; HOME and TMPDIR are set to its working directory. */
  env: NodeJS.ProcessEnv;
  stdin: string;
  timeoutMs: number;
  maxOutputBytes: number;
  killGraceMs: number;
  limits?: TaskLimits;
}

/** How a run ended, as plain data: its result, or why the program could not start. */
export type TaskOutcome = { ok: true; result: RunResult } | { ok: false; message: string };

/** What the caller of a run can do while it runs: cancel it, hear that it started, read its output. */
export interface RunControl {
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
  onOutput?: (chunk: OutputChunk) => void;
}

/** Runs a request to its end, with cancellation and callbacks while it runs. */
export type Supervisor = (request: TaskRequest, control: RunControl) => Promise<TaskOutcome>;

/** The longest prefix of `text` whose UTF-8 form fits in `bytes`, never ending inside a character. */
function fitBytes(text: string, bytes: number): string {
  const whole = Buffer.from(text);
  if (whole.length <= bytes) return text;
  return whole.subarray(0, boundaryAtOrBefore(whole, bytes)).toString('utf8');
}

/**
 * Keeps the first `cap` bytes of a stream as text and notes whether more came. The bytes are decoded
 * as they arrive (a character cut by a read waits for its rest), so the live pieces handed to
 * `flush` are exactly the pieces of the final text.
 */
function outputCollector(stream: OutputStream, cap: number, flush?: (chunk: OutputChunk) => void) {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let kept = 0;
  let dropped = false;
  let pending = '';
  let pendingBytes = 0;
  let flushed = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  const handOn = () => {
    clearTimeout(timer);
    timer = undefined;
    while (pending.length > 0) {
      const data = fitBytes(pending, OUTPUT_CHUNK_BYTES);
      pending = pending.slice(data.length);
      flush?.({ stream, offset: flushed, data });
      flushed += Buffer.byteLength(data);
    }
    pendingBytes = 0;
  };
  const keep = (text: string) => {
    if (text.length === 0) return;
    parts.push(text);
    if (!flush || ended) return;
    pending += text;
    pendingBytes += Buffer.byteLength(text);
    if (pendingBytes >= OUTPUT_CHUNK_BYTES) handOn();
    else timer ??= setTimeout(handOn, OUTPUT_FLUSH_MS);
  };
  return {
    add(chunk: Buffer) {
      const room = cap - kept;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        kept += part.length;
        keep(decoder.write(part));
      }
      if (chunk.length > Math.max(room, 0)) dropped = true;
    },
    /** The run ended: nothing more is handed on (the rest is in the result). */
    end() {
      ended = true;
      clearTimeout(timer);
    },
    /** The whole text, once the run has ended. */
    text: () => {
      keep(decoder.end());
      return parts.join('');
    },
    dropped: () => dropped,
  };
}

/** After the task's first process exits and the rest are killed, how long its pipes may stay open. */
const PIPE_DRAIN_MS = 200;

/**
 * A supervisor of task runs that encloses each in `containment` (made on first use: a cgroup per job
 * where this process may make them, else a process group with a sweep of its marked processes).
 */
export function createTaskSupervisor(containment?: Containment): Supervisor & { containment(): Containment } {
  let made = containment;
  const current = () => (made ??= createContainment());
  const supervise: Supervisor = async (request, control = {}) => {
    let workDir: string;
    try {
      workDir = await mkdtemp(path.join(request.workRoot, WORK_DIR_PREFIX));
    } catch (error) {
      return {
        ok: false,
        message: `could not make a working directory for ${request.executable}: ${reasonOf(error)}`,
      };
    }
    try {
      return await superviseIn(workDir, request, control, current());
    } finally {
      // Most tasks leave their directory empty: one rmdir, and the recursive walk only when it is not.
      await rmdir(workDir).catch(() => rm(workDir, { recursive: true, force: true }).catch(() => undefined));
    }
  };
  return Object.assign(supervise, { containment: current });
}

/**
 * Runs one program in a fresh working directory under `request.workRoot`, removed once it has ended
 * (where the program starts, so the process that asks for runs does no file system calls for them).
 */
export const superviseTask = createTaskSupervisor();

/**
 * Starts one program in `workDir` (no shell, its own process group, pipes for its stdio), enclosed
 * so that every process it starts belongs to its job, and supervises it to its end: output capped; a
 * timeout, a cancel or a limit stop every process of the job (SIGTERM, then SIGKILL after the grace
 * period); when its first process exits, whatever it left running is killed, and pipes its
 * descendants still hold are closed, so the run always ends.
 */
function superviseIn(
  workDir: string,
  request: TaskRequest,
  { signal, onSpawn, onOutput }: RunControl,
  containment: Containment,
): Promise<TaskOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const stdout = outputCollector('stdout', request.maxOutputBytes, onOutput);
    const stderr = outputCollector('stderr', request.maxOutputBytes, onOutput);
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    let enclosure: Enclosure;
    // Every process of the job, its group and whatever left it: the enclosure knows them all.
    const stop = () => {
      void enclosure.signalAll('SIGTERM');
      killTimer ??= setTimeout(() => void enclosure.killAll(), request.killGraceMs);
    };
    try {
      enclosure = containment.enclose(request.limits ?? {}, () => stop());
    } catch (error) {
      resolve({ ok: false, message: `could not enclose ${request.executable}: ${reasonOf(error)}` });
      return;
    }
    const command = enclosure.command(request.executable, request.args, {
      ...request.env,
      HOME: workDir,
      TMPDIR: workDir,
    });
    let child: ChildProcessWithoutNullStreams;
    try {
      child = enclosure.spawnInside(() =>
        spawn(command.executable, command.args, {
          cwd: workDir,
          env: command.env,
          detached: true, // its own process group, so a timeout can stop its children too
          stdio: ['pipe', 'pipe', 'pipe'],
          shell: false,
        }),
      );
    } catch (error) {
      // spawn throws at once (not by an 'error' event) for what it refuses to pass to the kernel (a
      // NUL byte in an argument or the environment) and for some kernel refusals (EAGAIN, ENOMEM):
      // a failed start of this one task, never of the process that supervises it.
      void enclosure.close();
      resolve({ ok: false, message: `could not start ${request.executable}: ${reasonOf(error)}` });
      return;
    }

    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, request.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const cleanup = () => {
      stdout.end();
      stderr.end();
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      signal?.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.stdin.on('error', () => undefined); // EPIPE when a task exits without reading stdin
    child.stdin.end(request.stdin);

    child.once('spawn', () => {
      if (child.pid === undefined) return;
      enclosure.started(child.pid);
      onSpawn?.(child.pid);
    });
    let settled = false;
    child.once('error', (error) => {
      if (settled) return;
      settled = true;
      cleanup();
      void enclosure.close();
      resolve({ ok: false, message: `could not start ${request.executable}: ${error.message}` });
    });
    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cleanup();
      const durationMs = Math.round(performance.now() - started);
      void enclosure
        .close()
        .catch(() => undefined)
        .then((usage) => {
          const limitExceeded = enclosure.exceeded();
          resolve({
            ok: true,
            result: {
              exitCode,
              signal: exitSignal,
              stdout: stdout.text(),
              stderr: stderr.text(),
              durationMs,
              timedOut: timedOut && !limitExceeded,
              cancelled,
              truncated: stdout.dropped() || stderr.dropped(),
              ...(usage ? { usage } : {}),
              ...(limitExceeded ? { limitExceeded } : {}),
              limitsHeld: containment.limits,
            },
          });
        });
    };
    child.once('exit', (exitCode, exitSignal) => {
      // Whatever it left running would hold the pipes open and outlive the job: stop all of it. A
      // descendant that escaped the enclosure and still holds a pipe cannot keep the run going.
      void enclosure.killAll().then(() => {
        if (settled) return;
        drainTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(exitCode, exitSignal);
        }, PIPE_DRAIN_MS);
      });
    });
    child.once('close', (exitCode, exitSignal) => finish(exitCode, exitSignal));
  });
}

/**
 * Runs one program through `supervise`, in a fresh working directory that is removed afterwards,
 * with a minimal environment, a timeout and an output cap. Resolves with the result whatever the
 * exit status; rejects with SpawnError only when the program could not be started.
 */
export async function runSupervised(supervise: Supervisor, options: RunOptions): Promise<RunResult> {
  const { executable, args = [], timeoutMs, maxOutputBytes, killGraceMs = 2000 } = options;
  if (!path.isAbsolute(executable)) throw new SpawnError(`executable must be an absolute path`, executable);
  const outcome = await supervise(
    {
      executable,
      args: [...args],
      workRoot: options.workRoot ?? os.tmpdir(),
      env: minimalEnv(options.env ?? [], options.parentEnv ?? process.env),
      stdin: options.stdin ?? '',
      timeoutMs,
      maxOutputBytes,
      killGraceMs,
      ...(options.limits ? { limits: options.limits } : {}),
    },
    { signal: options.signal, onSpawn: options.onSpawn, onOutput: options.onOutput },
  );
  if (!outcome.ok) throw new SpawnError(outcome.message, executable);
  return outcome.result;
}

/**
 * Runs one program in this process: {@link runSupervised} with {@link superviseTask}.
 *
 * @example
 * const result = await runProcess({ executable: '/bin/echo', args: ['hi'], timeoutMs: 5000, maxOutputBytes: 1024 });
 * // result.exitCode === 0, result.stdout === 'hi\n'
 */
export function runProcess(options: RunOptions): Promise<RunResult> {
  return runSupervised(superviseTask, options);
}
