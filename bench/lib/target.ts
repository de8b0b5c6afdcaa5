import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { startLocalStack } from '../../lib/local/local-stack';
import type { LocalStack } from '../../lib/local/local-stack';
import { answers, freePort } from '../../lib/local/ports';
import { pidListeningOn } from './proc';

export const projectDir = path.resolve(__dirname, '..', '..');

/** The stack a benchmark drives: its URL, the pids to measure, and how to stop it if we started it. */
export interface Target {
  httpUrl: string;
  httpPid: number | undefined;
  elasticMqPid: number | undefined;
  stack?: LocalStack;
  jobStoreDir?: string;
  /** `npm start`'s own process, when the target is one (its whole tree is the stack). */
  rootPid?: number;
  /** Where its processes write their event-loop delay (lib/local/loop-delay.js), when measured. */
  loopDelayDir?: string;
  stop(): Promise<void>;
}

/**
 * A real `npm start` on free ports with a fresh job store, as a user runs it (a process group of its
 * own), so the benchmark can measure every process of the stack, npm and the start script included.
 */
export async function startNpmStart(): Promise<Target> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ports = { httpPort: await freePort(), lambdaPort: await freePort(), elasticMqPort: await freePort() };
  const jobStoreDir = await mkdtemp(path.join(os.tmpdir(), 'spawn-queue-bench-store-'));
  const loopDelayDir = await mkdtemp(path.join(os.tmpdir(), 'spawn-queue-bench-loop-'));
  console.log(`starting npm start on port ${ports.httpPort} (job store ${jobStoreDir})`);
  const child = spawn('npm', ['start'], {
    cwd: projectDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HTTP_PORT: String(ports.httpPort),
      LAMBDA_PORT: String(ports.lambdaPort),
      ELASTICMQ_PORT: String(ports.elasticMqPort),
      JOB_STORE_DIR: jobStoreDir,
      LOG_LEVEL: 'warn',
      SPAWN_QUEUE_LOOP_DELAY_DIR: loopDelayDir,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start was not ready: ${output.slice(-800)}`)),
      180_000,
    );
    child.stdout.on('data', () => {
      if (output.includes('spawn-queue: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}): ${output.slice(-800)}`)));
  });
  return {
    httpUrl: `http://localhost:${ports.httpPort}`,
    httpPid: await pidListeningOn(ports.httpPort),
    elasticMqPid: await pidListeningOn(ports.elasticMqPort),
    jobStoreDir,
    rootPid: child.pid,
    loopDelayDir,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
}

/**
 * Uses the stack at `url` when it answers (a running `npm start`), otherwise starts a private one on
 * free ports with a fresh job store, so measurements never mix with a developer's jobs.
 */
export async function useOrStartStack(options: { url?: string; fresh?: boolean } = {}): Promise<Target> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const url = options.url ?? 'http://localhost:5000';
  if (!options.fresh && (await answers(`${url}/api/health`, 2000))) {
    console.log(`using the running stack at ${url}`);
    const port = Number(new URL(url).port || 80);
    return {
      httpUrl: url,
      httpPid: await pidListeningOn(port),
      elasticMqPid: await pidListeningOn(9324),
      stop: async () => undefined,
    };
  }
  const ports = { httpPort: await freePort(), lambdaPort: await freePort(), elasticMqPort: await freePort() };
  const jobStoreDir = await mkdtemp(path.join(os.tmpdir(), 'spawn-queue-bench-store-'));
  console.log(`starting a private stack on port ${ports.httpPort} (job store ${jobStoreDir})`);
  const stack = await startLocalStack({
    projectDir,
    ...ports,
    jobStoreDir,
    logger: createLogger({ name: 'event-source', level: 'warn' }),
    env: { LOG_LEVEL: 'warn' },
  });
  return {
    httpUrl: stack.httpUrl,
    httpPid: await pidListeningOn(ports.httpPort),
    elasticMqPid: await pidListeningOn(ports.elasticMqPort),
    stack,
    jobStoreDir,
    stop: () => stack.stop(),
  };
}
