import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openForkEvents } from '../../../lib/process/fork-events';

/**
 * The kernel's fork events, read as root (as here and in CI); elsewhere the suite is skipped and the
 * containment samples instead (containment.test.ts covers both).
 */
const opened = openForkEvents();
const itWithForkEvents = opened.ok ? it : it.skip;

afterAll(() => {
  if (opened.ok) opened.events.close();
});

async function exited(script: string, beforeTrack = 0) {
  const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore' });
  const childExited = once(child, 'exit');
  if (beforeTrack > 0) await sleep(beforeTrack);
  const tree = opened.ok ? opened.events.track(child.pid!) : undefined;
  await childExited;
  return tree!.stop();
}

describe('fork events', () => {
  itWithForkEvents('counts a tree of processes, children of children included', async () => {
    // sh, three subshells (each execs its sh -c), and each of those one `true`.
    await expect(exited('for i in 1 2 3; do sh -c "/bin/true; exit 0"; done')).resolves.toEqual({
      processes: 7,
      complete: true,
    });
  });

  // (`; exit 0` keeps sh from exec'ing its last command in its own place.)
  itWithForkEvents('counts the forks made before the tree was tracked (its pid learnt late)', async () => {
    await expect(exited('/bin/true; /bin/true; sleep 0.5; exit 0', 200)).resolves.toEqual({
      processes: 4,
      complete: true,
    });
  });

  itWithForkEvents('counts a process once, not the threads it starts', async () => {
    const script = `${JSON.stringify(process.execPath)} -e "new (require('worker_threads').Worker)('1', { eval: true })"`;
    // sh execs node (one process), whose worker and V8 threads are not processes.
    await expect(exited(`exec ${script}`)).resolves.toEqual({ processes: 1, complete: true });
  });

  itWithForkEvents('counts nothing of processes outside the tree', async () => {
    const outside = spawn('/bin/sh', ['-c', 'for i in 1 2 3 4 5; do /bin/true; done'], { stdio: 'ignore' });
    const outsideExited = once(outside, 'exit');
    const counted = await exited('sleep 0.3; exit 0');
    await outsideExited;
    expect(counted).toEqual({ processes: 2, complete: true });
  });
});
