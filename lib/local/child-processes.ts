import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** Runs a command to its end; resolves with its exit code and everything it printed. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output, stdout }));
  });
}

/** Where a child's output goes: the terminal, a callback per chunk, or nowhere (undefined). */
export type ChildOutput = 'inherit' | ((chunk: string) => void) | undefined;

/** The stdio setting for stdout and stderr that `output` needs. */
export function stdioFor(output: ChildOutput): 'inherit' | 'pipe' {
  return output === 'inherit' ? 'inherit' : 'pipe';
}

/** Sends a child's piped stdout and stderr to the callback, or drains them so the child never blocks. */
export function routeOutput(child: ChildProcess, output: ChildOutput): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    if (typeof output === 'function') stream.on('data', (d: Buffer) => output(d.toString()));
    else stream.resume();
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The child was started detached: a negative pid reaches its whole process group.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Stops a detached child's process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The tether: runs "$@" in the background; a watchdog reads the parent's pipe on fd 3 and, when it
 * closes (the parent exited, or was killed with SIGKILL), kills the whole process group. Background
 * commands of a non-interactive shell read /dev/null, hence the copy of stdin on fd 3.
 */
const TETHER = [
  'exec 3<&0',
  '"$@" 3<&- </dev/null &',
  'child=$!',
  '(read -r _ <&3; kill -KILL 0) &',
  'watchdog=$!',
  'exec 3<&-',
  // A stop signals the whole group: pass it on and stay until the command has really exited (its
  // port is free then), so the exit the parent sees is the command's.
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT HUP',
  'while :; do wait "$child"; code=$?; kill -0 "$child" 2>/dev/null || break; done',
  'kill "$watchdog" 2>/dev/null',
  'exit "$code"',
].join('\n');

/**
 * Spawns a command in a process group of its own that cannot outlive this process: a stop signals
 * the group (stopProcessGroup), and if this process dies without stopping it — even by SIGKILL — the
 * group is killed as soon as the pipe between them closes. Its stdin is that pipe (never written).
 */
export function spawnTethered(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; output: 'inherit' | 'pipe' },
): ChildProcess {
  const child = spawn('/bin/sh', ['-c', TETHER, 'tether', command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['pipe', options.output, options.output],
  });
  child.stdin?.on('error', () => undefined);
  return child;
}
