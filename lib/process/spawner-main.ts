import { createContainment } from './containment';
import { createTaskSupervisor } from './run-process';
import { signalGroup } from './signals';
import { CONTAINMENT_ENV } from './spawner-protocol';
import type { SpawnerReply, SpawnerRequest } from './spawner-protocol';

/**
 * The process spawner's program: runs each requested task with {@link superviseTask} and answers
 * over IPC. When its parent goes away (even by SIGKILL) the IPC channel closes: it kills the process
 * groups of the tasks still running and exits, so no task outlives the process that owns its job.
 */
export function runProcessSpawner(): void {
  const send = (reply: SpawnerReply) => process.send?.(reply);
  const superviseTask = createTaskSupervisor(
    createContainment(process.env[CONTAINMENT_ENV] === 'process-group' ? 'process-group' : 'auto'),
  );
  const running = new Map<number, { abort: AbortController; pid?: number }>();

  process.on('message', (message: SpawnerRequest) => {
    if (message.type === 'abort') {
      running.get(message.id)?.abort.abort();
      return;
    }
    const run: { abort: AbortController; pid?: number } = { abort: new AbortController() };
    running.set(message.id, run);
    void superviseTask(message.request, {
      signal: run.abort.signal,
      onSpawn: (pid) => {
        run.pid = pid;
        send({ type: 'spawned', id: message.id, pid });
      },
      onOutput: (chunk) => send({ type: 'output', id: message.id, chunk }),
    }).then((outcome) => {
      running.delete(message.id);
      send({ type: 'done', id: message.id, outcome });
    });
  });

  process.on('disconnect', () => {
    for (const { pid } of running.values()) if (pid) signalGroup(pid, 'SIGKILL');
    // Every process of every job still running, its escaped descendants included.
    superviseTask.containment().shutdown();
    process.exit(0);
  });
}
