/**
 * Signals to task processes, in one place: a process, or a process group (a task and what it started
 * in its group). A process or group that is gone already is fine.
 */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/** The process group led by `pid` (a negative pid signals the group). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  signalProcess(-pid, signal);
}
