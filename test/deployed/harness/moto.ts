import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ChildProcess } from 'node:child_process';
import { routeOutput, spawnTethered, stopProcessGroup } from '../../../lib/local/child-processes';
import { answers, freePort, waitUntil } from '../../../lib/local/ports';

export const REGION = 'us-east-1';

/** What every AWS client of the test (and every function) uses to reach moto. */
export interface AwsTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface MotoServer extends AwsTarget {
  stop(): Promise<void>;
}

/**
 * moto server on a free loopback port, tethered to this process; its output goes to `log`. Started
 * through moto_server.py, which adds the SQS redrive calls moto lacks.
 */
export async function startMoto(motoServer: string, log: (chunk: string) => void): Promise<MotoServer> {
  const port = await freePort();
  const python = path.join(path.dirname(motoServer), 'python');
  const script = path.join(__dirname, 'moto_server.py');
  const child: ChildProcess = spawnTethered(python, [script, '-H', '127.0.0.1', '-p', String(port)], {
    cwd: path.dirname(motoServer),
    output: 'pipe',
  });
  routeOutput(child, log);
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitUntil(() => answers(`${endpoint}/moto-api/`), 60_000, 200))) {
    await stopProcessGroup(child);
    throw new Error(`moto server did not answer on ${endpoint}`);
  }
  return {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    stop: () => stopProcessGroup(child),
  };
}

export const clientOptions = (target: AwsTarget) => ({
  endpoint: target.endpoint,
  region: target.region,
  credentials: target.credentials,
});

type Template = { Resources: Record<string, { Type: string; Properties: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function waitForStack(cloudFormation: CloudFormationClient, stackName: string, done: string) {
  for (let i = 0; i < 600; i += 1) {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks?.[0]?.StackStatus ?? '';
    if (status === done) return;
    if (/FAILED|ROLLBACK/.test(status)) {
      throw new Error(`stack ${stackName}: ${status} (${Stacks?.[0]?.StackStatusReason ?? 'no reason'})`);
    }
    await sleep(100);
  }
  throw new Error(`stack ${stackName} did not reach ${done}`);
}

/** The name of the bucket `serverless deploy` uploads the artifacts to (the stack's first resource). */
export async function deploymentBucket(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<string> {
  const { StackResourceDetail } = await cloudFormation.send(
    new DescribeStackResourceCommand({
      StackName: stackName,
      LogicalResourceId: 'ServerlessDeploymentBucket',
    }),
  );
  return StackResourceDetail!.PhysicalResourceId!;
}

/**
 * Deploys `serverless package`'s output the way `serverless deploy` does: the create-stack template
 * (the deployment bucket), the artifact and the compiled template uploaded to the bucket, then
 * update-stack from it. Returns the update template, as deployed.
 */
export async function deployPackage(
  target: AwsTarget,
  packageDir: string,
  stackName: string,
): Promise<Template> {
  const cloudFormation = new CloudFormationClient(clientOptions(target));
  const s3 = new S3Client({ ...clientOptions(target), forcePathStyle: true });
  try {
    const createTemplate = await readFile(
      path.join(packageDir, 'cloudformation-template-create-stack.json'),
      'utf8',
    );
    const updateText = await readFile(
      path.join(packageDir, 'cloudformation-template-update-stack.json'),
      'utf8',
    );
    const template = JSON.parse(updateText) as Template;
    const capabilities = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] as const;
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: createTemplate,
        Capabilities: [...capabilities],
      }),
    );
    await waitForStack(cloudFormation, stackName, 'CREATE_COMPLETE');
    const bucket = await deploymentBucket(cloudFormation, stackName);
    const artifactKeys = new Set(
      Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((r) => r.Properties.Code.S3Key as string),
    );
    for (const key of artifactKeys) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await readFile(path.join(packageDir, path.basename(key))),
        }),
      );
    }
    const templateKey = `${path.posix.dirname([...artifactKeys][0]!)}/compiled-cloudformation-template.json`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: templateKey, Body: updateText }));
    await cloudFormation.send(
      new UpdateStackCommand({
        StackName: stackName,
        // moto reads a TemplateURL in this form only.
        TemplateURL: `https://${bucket}.s3.amazonaws.com/${templateKey}`,
        Capabilities: [...capabilities],
      }),
    );
    await waitForStack(cloudFormation, stackName, 'UPDATE_COMPLETE');
    return template;
  } finally {
    cloudFormation.destroy();
    s3.destroy();
  }
}
