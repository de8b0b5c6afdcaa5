import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SpawnError } from './process-errors';

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
}

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

/** Every run's working directory starts with this name (how monitors recognise task processes). */
export const WORK_DIR_PREFIX = 'spawn-queue-job-';

function minimalEnv(
  workDir: string,
  allowed: readonly string[],
  parent: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: BASE_PATH, HOME: workDir, TMPDIR: workDir, LANG: 'C.UTF-8' };
  for (const name of allowed) {
    // Credentials never reach a task, even if a catalogue entry asks for them.
    if (name.startsWith('AWS_')) continue;
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid signals the process group: the task and everything it started.
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function collector(cap: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  return {
    add(chunk: Buffer) {
      const room = cap - kept;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        chunks.push(part);
        kept += part.length;
      }
      if (chunk.length > Math.max(room, 0)) dropped = true;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get truncated() {
      return dropped;
    },
  };
}

/**
 * Runs one program with no shell, in a fresh working directory that is removed afterwards,
 * with a minimal environment, a timeout and an output cap. Resolves with the result whatever the
 * exit status; rejects with SpawnError only when the program could not be started.
 *
 * @example
 * const result = await runProcess({ executable: '/bin/echo', args: ['hi'], timeoutMs: 5000, maxOutputBytes: 1024 });
 * // result.exitCode === 0, result.stdout === 'hi\n'
 */
export async function runProcess(options: RunOptions): Promise<RunResult> {
  const { executable, args = [], timeoutMs, maxOutputBytes, killGraceMs = 2000 } = options;
  if (!path.isAbsolute(executable)) throw new SpawnError(`executable must be an absolute path`, executable);
  const workDir = await mkdtemp(path.join(options.workRoot ?? os.tmpdir(), WORK_DIR_PREFIX));
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const started = performance.now();
      const stdout = collector(maxOutputBytes);
      const stderr = collector(maxOutputBytes);
      let timedOut = false;
      let cancelled = false;
      let killTimer: NodeJS.Timeout | undefined;

      const child = spawn(executable, args, {
        cwd: workDir,
        env: minimalEnv(workDir, options.env ?? [], options.parentEnv ?? process.env),
        detached: true, // its own process group, so a timeout can stop its children too
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
      });

      const stop = () => {
        if (child.pid === undefined) return;
        const pid = child.pid;
        killGroup(pid, 'SIGTERM');
        killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), killGraceMs);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs);
      const onAbort = () => {
        cancelled = true;
        stop();
      };
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const cleanup = () => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
      };

      child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
      child.stdin.on('error', () => undefined); // EPIPE when a task exits without reading stdin
      child.stdin.end(options.stdin ?? '');

      child.once('spawn', () => {
        if (child.pid !== undefined) options.onSpawn?.(child.pid);
      });
      child.once('error', (error) => {
        cleanup();
        reject(
          new SpawnError(`could not start ${executable}: ${error.message}`, executable, { cause: error }),
        );
      });
      child.once('exit', () => {
        // Leftover background children would hold the pipes open and outlive the job: stop them.
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      });
      child.once('close', (exitCode, signal) => {
        cleanup();
        resolve({
          exitCode,
          signal,
          stdout: stdout.text(),
          stderr: stderr.text(),
          durationMs: Math.round(performance.now() - started),
          timedOut,
          cancelled,
          truncated: stdout.truncated || stderr.truncated,
        });
      });
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
