import { setTimeout as sleep } from 'node:timers/promises';
import type { ElasticMq } from './elasticmq';

/**
 * Keeps the stack's ElasticMQ running: when it exits on its own, it is started again with backoff
 * (a line says so each time), and `afterRestart` sends the store's unfinished jobs to the new, empty
 * queues. Meanwhile the handlers answer 503 queue_unavailable and health names sqs. After
 * `maxRestarts` failed or short-lived restarts in a row it gives up with a one-line reason.
 */
export interface SupervisorOptions {
  start(): Promise<ElasticMq>;
  /** Runs once the new ElasticMQ answers; returns how many jobs it sent again. */
  afterRestart(): Promise<number>;
  say(line: string): void;
  onGiveUp(reason: string): void;
  maxRestarts?: number;
  /** Delay before restart n (1-based): firstDelayMs x 2^(n-1). */
  firstDelayMs?: number;
  /** A server that ran this long counts as healthy again: the restart count starts over. */
  stableMs?: number;
}

export interface SupervisedElasticMq {
  current(): ElasticMq;
  /** Stops supervising and stops the server (the stack's stop). */
  stop(): Promise<void>;
}

export function superviseElasticMq(first: ElasticMq, options: SupervisorOptions): SupervisedElasticMq {
  const maxRestarts = options.maxRestarts ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const stableMs = options.stableMs ?? 60_000;
  let current = first;
  let startedAt = Date.now();
  let restarts = 0;
  let stopped = false;

  const watch = (server: ElasticMq) => {
    server.process.once('exit', (code, signal) => {
      if (!stopped && server === current) void restart(`exited (${signal ?? `code ${code}`})`);
    });
  };

  async function restart(what: string): Promise<void> {
    if (Date.now() - startedAt >= stableMs) restarts = 0;
    let problem = what;
    while (!stopped) {
      restarts += 1;
      if (restarts > maxRestarts) {
        options.onGiveUp(
          `ElasticMQ ${problem}, and ${maxRestarts} restarts in a row did not keep it running`,
        );
        return;
      }
      const delayMs = firstDelayMs * 2 ** (restarts - 1);
      options.say(
        `ElasticMQ ${problem}; restarting it in ${delayMs / 1000} s (restart ${restarts} of ${maxRestarts}); submits answer 503 until it is back`,
      );
      await sleep(delayMs);
      if (stopped) return;
      let server: ElasticMq;
      try {
        server = await options.start();
      } catch (error) {
        problem = `did not start again (${error instanceof Error ? error.message : String(error)})`;
        continue;
      }
      if (stopped) {
        await server.stop();
        return;
      }
      current = server;
      startedAt = Date.now();
      watch(server);
      try {
        const sent = await options.afterRestart();
        options.say(
          `ElasticMQ is back; its queues are recreated and ${sent} unfinished job(s) were sent again`,
        );
      } catch (error) {
        options.say(
          `ElasticMQ is back, but sending the unfinished jobs again failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return;
    }
  }

  watch(first);
  return {
    current: () => current,
    async stop() {
      stopped = true;
      await current.stop();
    },
  };
}
