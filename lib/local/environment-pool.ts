import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { killTaskProcesses } from '../process/task-processes';
import type { EnvironmentMessage, EnvironmentSettings, InvokeMessage } from './consumer-protocol';

/**
 * The consumer's execution environments, local emulation only: one process per slot, each running
 * one invocation at a time (lambda-environment.ts), as Lambda gives every concurrent invocation an
 * environment of its own. An invocation past the function's timeout fails, and its environment is
 * replaced (its task processes ended first, so a slot never holds two); so is one that exits.
 */
export interface EnvironmentPool {
  /** Runs one invocation in a free environment; rejects for a function error, as Lambda reports it. */
  invoke(event: SQSEvent): Promise<unknown>;
  /** Ends every environment (each ends its task processes first); invocations in flight never settle. */
  close(): Promise<void>;
}

export interface EnvironmentPoolOptions {
  settings: EnvironmentSettings;
  /** The bundled lambda-environment.ts. */
  environmentFile: string;
  /** Environments: the function's concurrency. */
  size: number;
  /** The stack's TASK_WORK_DIR: each environment gets a directory under it for its tasks. */
  taskWorkDir: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  startTimeoutMs?: number;
}

interface Environment {
  readonly workDir: string;
  invoke(event: SQSEvent): Promise<unknown>;
  /** Ends its task processes, then the environment. */
  retire(): Promise<void>;
  /** Lets it end on its own (it ends its tasks), SIGKILL after graceMs. */
  close(graceMs: number): Promise<void>;
  readonly alive: boolean;
}

export async function startEnvironmentPool(options: EnvironmentPoolOptions): Promise<EnvironmentPool> {
  const { settings, size } = options;
  const timeoutMs = settings.timeoutSeconds * 1000;
  let closing = false;
  let nextId = 0;

  async function startEnvironment(slot: number): Promise<Environment> {
    const workDir = path.join(options.taskWorkDir, `environment-${slot + 1}`);
    await mkdir(workDir, { recursive: true });
    const child: ChildProcess = fork(options.environmentFile, [JSON.stringify(settings)], {
      execArgv: options.execArgv ?? [],
      env: { ...(options.env ?? process.env), TASK_WORK_DIR: workDir },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let alive = true;
    let pending:
      | { id: number; resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
      | undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        alive = false;
        if (pending) {
          clearTimeout(pending.timer);
          // A pool that is closing leaves its invocations unsettled: the host is going away.
          if (!closing) {
            pending.reject(
              new Error(`the execution environment exited (code ${code}) during the invocation`),
            );
          }
        }
        pending = undefined;
        resolve(code);
      }),
    );
    child.on('message', (message: EnvironmentMessage) => {
      if (message.type !== 'result' || message.id !== pending?.id) return;
      const { resolve, reject } = pending;
      pending = undefined;
      if (message.ok) resolve(message.value);
      else reject(new Error(message.message));
    });

    const started = await new Promise<EnvironmentMessage | { type: 'exit' } | { type: 'timeout' }>(
      (resolve) => {
        const timer = setTimeout(() => resolve({ type: 'timeout' }), options.startTimeoutMs ?? 60_000);
        child.once('message', (message: EnvironmentMessage) => {
          clearTimeout(timer);
          resolve(message);
        });
        void exited.then(() => {
          clearTimeout(timer);
          resolve({ type: 'exit' });
        });
      },
    );
    if (started.type !== 'ready') {
      child.kill('SIGKILL');
      const reason =
        started.type === 'failed'
          ? started.message
          : started.type === 'exit'
            ? 'it exited'
            : 'it did not answer in time';
      throw new Error(`an execution environment of ${settings.functionName} could not start: ${reason}`);
    }

    async function retire(): Promise<void> {
      await killTaskProcesses(workDir).catch(() => 0);
      if (alive) child.kill('SIGKILL');
      await exited;
      // A task that was starting as the first sweep ran: the environment is gone now, sweep again.
      await killTaskProcesses(workDir).catch(() => 0);
    }

    return {
      workDir,
      get alive() {
        return alive;
      },
      async invoke(event) {
        const id = (nextId += 1);
        let timedOut = false;
        try {
          return await new Promise<unknown>((resolve, reject) => {
            const timer = setTimeout(() => {
              timedOut = true;
              reject(new Error(`Task timed out after ${settings.timeoutSeconds} seconds`));
            }, timeoutMs);
            const settle =
              <T>(fn: (value: T) => void) =>
              (value: T) => {
                clearTimeout(timer);
                fn(value);
              };
            pending = { id, resolve: settle(resolve), reject: settle(reject), timer };
            const message: InvokeMessage = { type: 'invoke', id, event, deadline: Date.now() + timeoutMs };
            if (!child.connected) pending.reject(new Error('the execution environment is gone'));
            else child.send(message, (error) => error && pending?.reject(error));
          });
        } catch (error) {
          pending = undefined;
          // As on Lambda, an environment that timed out or exited is not used again; one whose
          // handler threw is.
          if (timedOut || !alive) await retire();
          throw error;
        }
      },
      retire,
      async close(graceMs) {
        if (!alive) return;
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
  }

  const environments: (Environment | undefined)[] = await Promise.all(
    Array.from({ length: size }, (_, slot) => startEnvironment(slot)),
  ).catch(async (error: unknown) => {
    await killTaskProcesses(options.taskWorkDir).catch(() => 0);
    throw error;
  });
  const idle = Array.from({ length: size }, (_, slot) => slot);
  const waiters: ((slot: number) => void)[] = [];

  const acquire = () =>
    new Promise<number>((resolve) => {
      const slot = idle.shift();
      if (slot === undefined) waiters.push(resolve);
      else resolve(slot);
    });
  const release = (slot: number) => {
    const waiter = waiters.shift();
    if (waiter) waiter(slot);
    else idle.push(slot);
  };

  return {
    async invoke(event) {
      const slot = await acquire();
      try {
        let environment = environments[slot];
        if (!environment?.alive) {
          // A cold start: the slot's last environment was replaced.
          environments[slot] = undefined;
          environment = await startEnvironment(slot);
          environments[slot] = environment;
        }
        return await environment.invoke(event);
      } finally {
        release(slot);
      }
    },
    async close() {
      closing = true;
      await Promise.all(environments.map((environment) => environment?.close(5000)));
    },
  };
}
