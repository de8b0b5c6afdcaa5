import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** A part of the local stack that runs as a child process (ElasticMQ, serverless offline). */
export interface Part {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Keeps a part of the stack running: when it exits on its own, it is started again with backoff (a
 * line says so each time), then `afterRestart` repairs what it lost (ElasticMQ: the unfinished jobs
 * are sent to its new, empty queues). After `maxRestarts` failed or short-lived restarts in a row it
 * gives up with a one-line reason.
 */
export interface SupervisorOptions<T extends Part> {
  /** How lines name the part ("ElasticMQ"). */
  name: string;
  start(): Promise<T>;
  /** Runs once the new process answers; returns what to add to the "is back" line. */
  afterRestart?(): Promise<string>;
  /** What clients get while it is down, for the restart line. */
  meanwhile: string;
  say(line: string): void;
  onGiveUp(reason: string): void;
  maxRestarts?: number;
  /** Delay before restart n (1-based): firstDelayMs x 2^(n-1). */
  firstDelayMs?: number;
  /** A server that ran this long counts as healthy again: the restart count starts over. */
  stableMs?: number;
}

export interface Supervised<T extends Part> {
  current(): T;
  /** Stops supervising and stops the server (the stack's stop). */
  stop(): Promise<void>;
}

export function supervise<T extends Part>(first: T, options: SupervisorOptions<T>): Supervised<T> {
  const { name } = options;
  const maxRestarts = options.maxRestarts ?? 5;
  const firstDelayMs = options.firstDelayMs ?? 1000;
  const stableMs = options.stableMs ?? 60_000;
  let current = first;
  let startedAt = Date.now();
  let restarts = 0;
  let stopped = false;

  const watch = (server: T) => {
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
        `${name} ${problem}; restarting it in ${delayMs / 1000} s (restart ${restarts} of ${maxRestarts}); ${options.meanwhile}`,
      );
      await sleep(delayMs);
      if (stopped) return;
      let server: T;
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
        const repaired = options.afterRestart ? await options.afterRestart() : '';
        options.say(`${name} is back${repaired ? `; ${repaired}` : ''}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.say(`${name} is back, but repairing what it lost failed: ${reason}`);
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
