import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListEventSourceMappingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { runCommand } from '../../../lib/local/child-processes';
import { ensureDeployedTools } from './tools';
import type { DeployedTools } from './tools';
import { clientOptions, deploymentBucket, deployPackage, startMoto } from './moto';
import type { AwsTarget, MotoServer } from './moto';
import { createFunctionPool, functionConfigurations, startExecutionEnvironment } from './lambda-runtime';
import type { Invocation } from './lambda-runtime';
import { startEventSource } from './event-source';
import { httpApiEvent, matchRoute, routesOf } from './http-api';

export const STAGE = 'deployedtest';
export const SERVICE = 'spawn-queue';
export const STACK_NAME = `${SERVICE}-${STAGE}`;
export const CALLBACK_SECRET_PARAMETER = `/${SERVICE}/${STAGE}/callback-secret`;

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface DeployedStack {
  target: AwsTarget;
  template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A request through the HTTP API, as API Gateway would turn it into an event for the route's function. */
  api(
    method: string,
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<ApiAnswer>;
  /** Invokes a function directly, as the Lambda service would. */
  invoke(functionName: string, event: unknown): Promise<Invocation>;
  queueUrl(name: string): Promise<string>;
  /** What the functions' runtimes printed (their logs). */
  logFile: string;
  /** The unzipped artifact the functions run from. */
  codeDir: string;
  /** What `serverless package` wrote (the templates, the artifact). */
  packageDir: string;
  tools: DeployedTools;
  stop(): Promise<void>;
}

/** `serverless package` as a deployer without local settings runs it, plus what this test needs. */
async function renderPackage(projectDir: string, outDir: string, env: Record<string, string>) {
  const { code, output } = await runCommand(
    path.join(projectDir, 'node_modules', '.bin', 'serverless'),
    ['package', '--stage', STAGE, '--package', outDir],
    { cwd: projectDir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
  );
  if (code !== 0) throw new Error(`serverless package failed: ${output.slice(-800)}`);
}

/**
 * The deployed path without AWS: the template `serverless package` renders, deployed into moto server
 * as `serverless deploy` does; each function run from the artifact in the deployment bucket, under
 * the Runtime Interface Emulator and aws-lambda-ric on Node 24, with its deployed environment; the
 * event source mappings driven by a poller as deployed (batch size, concurrency, partial failures).
 */
export async function startDeployedStack(options: {
  projectDir: string;
  workDir: string;
  /** Put into SSM before anything runs: the API token hashes and the callback secret. */
  tokenHash: string;
  callbackSecret: string;
}): Promise<DeployedStack> {
  const logFile = path.join(options.workDir, 'functions.log');
  const log = createWriteStream(logFile);
  const write = (chunk: string) => log.write(chunk);
  const tools: DeployedTools = await ensureDeployedTools();
  const moto: MotoServer = await startMoto(tools.motoServer, write);
  const stops: Array<() => Promise<void>> = [() => moto.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    log.end();
  };
  try {
    const packageDir = path.join(options.workDir, 'package');
    // The one departure from a production deploy: the callback receiver is on this machine.
    await renderPackage(options.projectDir, packageDir, {
      CALLBACK_SECRET_PARAMETER,
      CALLBACK_ALLOW_INTERNAL: 'true',
    });
    const template = await deployPackage(moto, packageDir, STACK_NAME);
    const functions = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties);
    const configs = await functionConfigurations(
      moto,
      functions.map((f) => f.FunctionName as string),
    );

    const ssm = new SSMClient(clientOptions(moto));
    const sqs = new SQSClient(clientOptions(moto));
    const s3 = new S3Client({ ...clientOptions(moto), forcePathStyle: true });
    const lambda = new LambdaClient(clientOptions(moto));
    const cloudFormation = new CloudFormationClient(clientOptions(moto));
    stops.push(async () => {
      for (const client of [ssm, sqs, s3, lambda, cloudFormation]) client.destroy();
    });
    const tokenParameter = [...configs.values()][0]!.Environment!.Variables!.API_TOKEN_PARAMETER!;
    await ssm.send(
      new PutParameterCommand({ Name: tokenParameter, Type: 'String', Value: options.tokenHash }),
    );
    await ssm.send(
      new PutParameterCommand({
        Name: CALLBACK_SECRET_PARAMETER,
        Type: 'SecureString',
        Value: options.callbackSecret,
      }),
    );

    // The artifact as the functions' code: from the deployment bucket, unzipped once (one zip for all).
    const bucket = await deploymentBucket(cloudFormation, STACK_NAME);
    const codeDir = path.join(options.workDir, 'code');
    await mkdir(codeDir, { recursive: true });
    const zipFile = path.join(options.workDir, 'artifact.zip');
    const object = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: functions[0]!.Code.S3Key as string }),
    );
    await writeFile(zipFile, await object.Body!.transformToByteArray());
    const python = path.join(path.dirname(tools.motoServer), 'python');
    const unzipped = await runCommand(python, ['-m', 'zipfile', '-e', zipFile, codeDir], {
      cwd: options.workDir,
    });
    if (unzipped.code !== 0) throw new Error(`could not unzip the artifact: ${unzipped.output}`);

    const pool = createFunctionPool((name) =>
      startExecutionEnvironment({ tools, codeDir, config: configs.get(name)!, target: moto, log: write }),
    );
    stops.push(() => pool.stop());
    const concurrencyOf = (name: string) => {
      const reserved = functions.find((f) => f.FunctionName === name)?.ReservedConcurrentExecutions;
      return typeof reserved === 'number' ? reserved : 1;
    };
    const invoke = (name: string, event: unknown) => pool.invoke(name, event, concurrencyOf(name));

    // The event source mappings as deployed; maximum concurrency from the template where moto drops it.
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    const templateMappings = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
    );
    for (const mapping of EventSourceMappings) {
      const functionName = mapping.FunctionArn!.split(':').pop()!;
      const queueName = mapping.EventSourceArn!.split(':').pop()!;
      const declared = templateMappings.find((m) => {
        const ref = m.Properties.FunctionName as { 'Fn::GetAtt': [string, string] };
        return template.Resources[ref['Fn::GetAtt'][0]]!.Properties.FunctionName === functionName;
      });
      const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl!;
      const source = startEventSource({
        sqs,
        region: moto.region,
        mapping: {
          queueUrl,
          batchSize: mapping.BatchSize ?? 10,
          maximumConcurrency:
            mapping.ScalingConfig?.MaximumConcurrency ??
            declared?.Properties.ScalingConfig?.MaximumConcurrency ??
            2,
          reportBatchItemFailures: (
            mapping.FunctionResponseTypes ??
            declared?.Properties.FunctionResponseTypes ??
            []
          ).includes('ReportBatchItemFailures'),
        },
        invoke: (event) => invoke(functionName, event),
        onError: (error) => write(`event source ${queueName}: ${String(error)}\n`),
      });
      stops.push(() => source.stop());
    }

    const routes = routesOf(template.Resources);
    return {
      target: moto,
      template,
      logFile,
      codeDir,
      packageDir,
      tools,
      invoke,
      async queueUrl(name) {
        return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
      },
      async api(method, url, request = {}) {
        const path = new URL(url, 'https://api.example.test').pathname;
        const matched = matchRoute(routes, method, path);
        if (!matched) throw new Error(`no route for ${method} ${path}`);
        const result = await invoke(
          matched.route.functionName,
          httpApiEvent({
            method,
            url,
            routeKey: matched.route.routeKey,
            pathParameters: matched.pathParameters,
            headers: request.headers,
            body: request.body,
          }),
        );
        // A function that fails instead of answering is API Gateway's 500.
        if (!result.ok)
          return { status: 500, headers: {}, body: { message: 'Internal Server Error', result } };
        const {
          statusCode,
          headers = {},
          body,
        } = result.payload as {
          statusCode: number;
          headers?: Record<string, string>;
          body?: string;
        };
        const json = headers['content-type']?.includes('json') && body ? JSON.parse(body) : body;
        return { status: statusCode, headers, body: json };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
