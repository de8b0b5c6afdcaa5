import path from 'node:path';
import { routeOutput, spawnTethered, stdioFor, stopProcessGroup } from './child-processes';
import type { ChildOutput } from './child-processes';
import { answers, waitUntil } from './ports';
import { StackError } from './stack-errors';
import type { Part } from './supervisor';

/** A file of the local emulation, by the project's directory (this module may run bundled elsewhere). */
const localFile = (projectDir: string, file: string) => path.join(projectDir, 'lib', 'local', file);

/**
 * A V8 setting for serverless offline, which holds every HTTP function: a burst of 1,000 connections
 * and the polled loads left its heap ~200 MB larger until V8's memory reducer ran, a minute or more
 * later (the requests' garbage, promoted to the old generation). With the old generation growing by
 * 20 % per collection instead of V8's up to 4x, the same loads left it at 270-276 MB instead of
 * 377-400, idle and a minute later the same (alternating runs). Also tried: a smaller young
 * generation (less memory, the bursts' p99 a quarter worse) and an earlier memory reducer (it then
 * sometimes gave nothing back). `node` takes V8 flags on its command line only (not in
 * NODE_OPTIONS), so the framework's script runs under this process's Node with it.
 */
export const OFFLINE_NODE_FLAGS = ['--heap-growing-percent=20'];

/**
 * serverless offline's environment, with the preloads that make it answer as API Gateway does: a
 * longer listen queue (listen-backlog.js: a burst of connections is accepted, not dropped until the
 * clients retry), a function's failure in the API's error shape, without its stack trace
 * (gateway-errors.js), and the stack's doors (front-door.js: no foreign origin, no foreign Host
 * without tokens, the invoke port on loopback).
 */
function withGatewayPreloads(projectDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const preloads = ['listen-backlog.js', 'gateway-errors.js', 'front-door.js'].map(
    (file) => `--require ${JSON.stringify(localFile(projectDir, file))}`,
  );
  return withLoopDelay(projectDir, {
    ...env,
    SPAWN_QUEUE_FRONT_DOOR: 'on',
    NODE_OPTIONS: [env.NODE_OPTIONS, ...preloads].filter(Boolean).join(' '),
  });
}

/** With SPAWN_QUEUE_LOOP_DELAY_DIR set (benchmarks): the preload that measures event-loop delay. */
export function withLoopDelay(projectDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.SPAWN_QUEUE_LOOP_DELAY_DIR) return env;
  const preload = `--require ${JSON.stringify(localFile(projectDir, 'loop-delay.js'))}`;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, preload].filter(Boolean).join(' ') };
}

/**
 * serverless offline with the HTTP functions, up once its health route answers (2 minutes at most),
 * tethered to this process: if this one dies without stopping it, it goes too.
 */
export async function startServerlessOffline(options: {
  projectDir: string;
  httpPort: number;
  env: NodeJS.ProcessEnv;
  output?: ChildOutput;
}): Promise<Part> {
  const { projectDir, httpPort } = options;
  const child = spawnTethered(
    process.execPath,
    [
      ...OFFLINE_NODE_FLAGS,
      path.join(projectDir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
    ],
    { cwd: projectDir, env: withGatewayPreloads(projectDir, options.env), output: stdioFor(options.output) },
  );
  routeOutput(child, options.output);
  let exited = false;
  child.once('exit', () => (exited = true));
  const up = await waitUntil(
    async () => !exited && (await answers(`http://localhost:${httpPort}/api/health`, 5000)),
    120_000,
    300,
  );
  const part = { process: child, stop: () => stopProcessGroup(child) };
  if (!up) {
    await part.stop();
    throw new StackError(
      `serverless offline did not come up on port ${httpPort}${exited ? ' (it exited; see its output above)' : ''}`,
    );
  }
  return part;
}
