import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { SpawnError } from './process-errors';
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
}

const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

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

/** Signals a process group: the task and everything it started; a group that is gone is fine. */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    // A negative pid signals the process group.
    process.kill(-pid, sig);
  } catch {
    // the group is already gone
  }
}

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

/**
 * Runs one program in a fresh working directory under `request.workRoot`, removed once it has ended
 * (where the program starts, so the process that asks for runs does no file system calls for them).
 */
export const superviseTask: Supervisor = async (request, control = {}) => {
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
    return await superviseIn(workDir, request, control);
  } finally {
    // Most tasks leave their directory empty: one rmdir, and the recursive walk only when it is not.
    await rmdir(workDir).catch(() => rm(workDir, { recursive: true, force: true }).catch(() => undefined));
  }
};

/**
 * Starts one program in `workDir` (no shell, its own process group, pipes for its stdio) and
 * supervises it to its end: output capped, a timeout and cancellation that stop the whole group
 * (SIGTERM, then SIGKILL after the grace period), background children killed when it exits.
 */
function superviseIn(
  workDir: string,
  request: TaskRequest,
  { signal, onSpawn, onOutput }: RunControl,
): Promise<TaskOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const stdout = outputCollector('stdout', request.maxOutputBytes, onOutput);
    const stderr = outputCollector('stderr', request.maxOutputBytes, onOutput);
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;

    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(request.executable, request.args, {
        cwd: workDir,
        env: { ...request.env, HOME: workDir, TMPDIR: workDir },
        detached: true, // its own process group, so a timeout can stop its children too
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
      });
    } catch (error) {
      // spawn throws at once (not by an 'error' event) for what it refuses to pass to the kernel (a
      // NUL byte in an argument or the environment) and for some kernel refusals (EAGAIN, ENOMEM):
      // a failed start of this one task, never of the process that supervises it.
      resolve({ ok: false, message: `could not start ${request.executable}: ${reasonOf(error)}` });
      return;
    }

    const stop = () => {
      if (child.pid === undefined) return;
      const pid = child.pid;
      signalGroup(pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(pid, 'SIGKILL'), request.killGraceMs);
    };
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
      signal?.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    child.stdin.on('error', () => undefined); // EPIPE when a task exits without reading stdin
    child.stdin.end(request.stdin);

    child.once('spawn', () => {
      if (child.pid !== undefined) onSpawn?.(child.pid);
    });
    child.once('error', (error) => {
      cleanup();
      resolve({ ok: false, message: `could not start ${request.executable}: ${error.message}` });
    });
    child.once('exit', () => {
      // Leftover background children would hold the pipes open and outlive the job: stop them.
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    });
    child.once('close', (exitCode, exitSignal) => {
      cleanup();
      resolve({
        ok: true,
        result: {
          exitCode,
          signal: exitSignal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          durationMs: Math.round(performance.now() - started),
          timedOut,
          cancelled,
          truncated: stdout.dropped() || stderr.dropped(),
        },
      });
    });
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
