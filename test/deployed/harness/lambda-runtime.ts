import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { routeOutput, spawnTethered, stopProcessGroup } from '../../../lib/local/child-processes';
import { freePort } from '../../../lib/local/ports';
import type { DeployedTools } from './tools';
import { clientOptions } from './moto';
import type { AwsTarget } from './moto';

/** A function's answer through the Runtime API: its result, or the error Lambda reports for it. */
export type Invocation =
  | { ok: true; payload: any } // eslint-disable-line @typescript-eslint/no-explicit-any
  | { ok: false; errorType: string; errorMessage: string };

/**
 * One execution environment of a deployed function: the Runtime Interface Emulator serving the
 * Runtime API to `aws-lambda-ric` on Node 24, in the unzipped artifact, with the function's deployed
 * environment (read back from moto) and AWS_ENDPOINT_URL pointing every AWS call at moto. Like
 * Lambda's, it takes one invocation at a time; the first one initialises the function.
 */
export interface ExecutionEnvironment {
  invoke(event: unknown): Promise<Invocation>;
  stop(): Promise<void>;
}

export async function startExecutionEnvironment(options: {
  tools: DeployedTools;
  codeDir: string;
  config: FunctionConfiguration;
  target: AwsTarget;
  log: (chunk: string) => void;
}): Promise<ExecutionEnvironment> {
  const { tools, config, target } = options;
  const [invokePort, runtimePort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    // What Lambda's Node.js runtime sets around the function's own variables.
    PATH: `${path.dirname(tools.node)}:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: options.codeDir,
    AWS_LAMBDA_FUNCTION_NAME: config.FunctionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.MemorySize ?? 128),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(config.Timeout ?? 3),
    AWS_REGION: target.region,
    AWS_DEFAULT_REGION: target.region,
    AWS_ACCESS_KEY_ID: target.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey,
    AWS_ENDPOINT_URL: target.endpoint,
    // Lambda gives a function no cgroup rights (it is not root there); this machine's tests run as
    // root, so the containment Lambda gets is asked for.
    CONTAINMENT: 'process-group',
    ...config.Environment?.Variables,
  };
  const child: ChildProcess = spawnTethered(
    tools.rie,
    [
      '--runtime-interface-emulator-address',
      `127.0.0.1:${invokePort}`,
      '--runtime-api-address',
      `127.0.0.1:${runtimePort}`,
      tools.node,
      tools.ric,
      config.Handler!,
    ],
    { cwd: options.codeDir, env, output: 'pipe' },
  );
  routeOutput(child, options.log);
  let last: Promise<unknown> = Promise.resolve();
  const url = `http://127.0.0.1:${invokePort}/2015-03-31/functions/function/invocations`;

  async function once(event: unknown): Promise<Invocation> {
    let response: Response | undefined;
    // The emulator listens a moment after it starts.
    for (let i = 0; i < 50 && !response; i += 1) {
      response = await fetch(url, { method: 'POST', body: JSON.stringify(event) }).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    if (!response) throw new Error(`the execution environment of ${config.FunctionName} does not answer`);
    const text = await response.text();
    const payload = text ? JSON.parse(text) : null;
    if (payload && typeof payload === 'object' && 'errorType' in payload && 'errorMessage' in payload) {
      return { ok: false, errorType: String(payload.errorType), errorMessage: String(payload.errorMessage) };
    }
    return { ok: true, payload };
  }

  return {
    invoke(event) {
      const next = last.then(() => once(event));
      last = next.catch(() => undefined);
      return next;
    },
    stop: () => stopProcessGroup(child, 2000),
  };
}

/** The deployed configuration of each function, as moto holds it (runtime, architecture, environment). */
export async function functionConfigurations(
  target: AwsTarget,
  names: string[],
): Promise<Map<string, FunctionConfiguration>> {
  const lambda = new LambdaClient(clientOptions(target));
  try {
    const configs = await Promise.all(
      names.map((name) => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))),
    );
    return new Map(configs.map((config) => [config.FunctionName!, config]));
  } finally {
    lambda.destroy();
  }
}

/**
 * The execution environments of every function, started on first use: one each, and up to
 * `concurrency` for a function that runs several at once (the consumer, as its reserved concurrency
 * allows), each taking one invocation at a time.
 */
export function createFunctionPool(start: (name: string) => Promise<ExecutionEnvironment>) {
  const pools = new Map<
    string,
    { idle: ExecutionEnvironment[]; all: Array<Promise<ExecutionEnvironment>> }
  >();
  const waiting = new Map<string, Array<() => void>>();
  return {
    async invoke(name: string, event: unknown, concurrency = 1): Promise<Invocation> {
      const pool = pools.get(name) ?? { idle: [], all: [] };
      pools.set(name, pool);
      while (pool.idle.length === 0 && pool.all.length >= concurrency) {
        await new Promise<void>((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve]));
      }
      let environment = pool.idle.pop();
      if (!environment) {
        const started = start(name);
        pool.all.push(started);
        environment = await started;
      }
      try {
        return await environment.invoke(event);
      } finally {
        pool.idle.push(environment);
        waiting.get(name)?.shift()?.();
      }
    },
    async stop() {
      await Promise.all(
        [...pools.values()].flatMap((pool) =>
          pool.all.map((e) => e.then((environment) => environment.stop())),
        ),
      );
    },
  };
}
