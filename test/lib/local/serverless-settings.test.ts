import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkVisibilityTimeout,
  consumerSettings,
  printServerlessConfig,
  serverlessLogLevel,
} from '../../../lib/local/serverless-settings';
import type { PrintedConfig } from '../../../lib/local/serverless-settings';
import { StackError } from '../../../lib/local/stack-errors';
import { runCommand } from '../../../lib/local/child-processes';
import { tempDir } from '../../helpers/services';

const projectDir = path.resolve(__dirname, '..', '..', '..');

function config(fn: Record<string, unknown>, sqs: Record<string, unknown> = {}): PrintedConfig {
  return {
    functions: {
      consumer: {
        name: 'svc-dev-consumer',
        handler: 'handlers/consumer.handler',
        timeout: 60,
        ...fn,
        events: [{ sqs: { arn: 'x', ...sqs } }],
      },
    },
  };
}

describe('consumer settings from serverless.yml', () => {
  it('takes the lower of maximumConcurrency and reservedConcurrency', () => {
    expect(
      consumerSettings(config({ reservedConcurrency: 4 }, { maximumConcurrency: 2, batchSize: 5 })),
    ).toMatchObject({
      functionName: 'svc-dev-consumer',
      concurrency: 2,
      batchSize: 5,
      maximumBatchingWindow: 0,
      reportBatchItemFailures: false,
    });
  });

  it('refuses maximumConcurrency above reservedConcurrency (throttles would count as receives)', () => {
    expect(() => consumerSettings(config({ reservedConcurrency: 2 }, { maximumConcurrency: 4 }))).toThrow(
      /maximumConcurrency \(4\) is above reservedConcurrency \(2\)/,
    );
  });

  it('refuses a consumer without any concurrency limit', () => {
    expect(() => consumerSettings(config({}))).toThrow(StackError);
  });

  it('refuses a visibility timeout under 6 x the consumer timeout', () => {
    expect(() => checkVisibilityTimeout(3959, 660)).toThrow(
      /jobs queue's visibility timeout is 3959 s but must be at least 6 x its function's timeout \(660 s\) = 3960 s/,
    );
    expect(() => checkVisibilityTimeout(3960, 660)).not.toThrow();
  });

  it("matches the project's serverless.yml: 4 slots, one job per batch, partial batch failures", async () => {
    const printed = await printServerlessConfig(projectDir);
    const settings = consumerSettings(printed, 'runJobs');
    expect(settings).toMatchObject({
      functionName: 'spawn-queue-dev-runJobs',
      reservedConcurrency: 4,
      maximumConcurrency: 4,
      concurrency: 4,
      batchSize: 1,
      reportBatchItemFailures: true,
    });
    // The local queue (elasticmq.conf) obeys the same rule the event source checks at start.
    const conf = await readFile(path.join(projectDir, 'elasticmq', 'elasticmq.conf'), 'utf8');
    const visibility = Number(/defaultVisibilityTimeout = (\d+) seconds/.exec(conf)?.[1]);
    expect(() => checkVisibilityTimeout(visibility, settings.timeoutSeconds)).not.toThrow();
    // The callback deliverer: its own queue and function, a batch of deliveries at a time.
    const callbacks = consumerSettings(printed, 'deliverCallbacks');
    expect(callbacks).toMatchObject({ batchSize: 10, reportBatchItemFailures: true, concurrency: 2 });
    const callbackVisibility = Number(
      /callbacks \{[^}]*defaultVisibilityTimeout = (\d+) seconds/s.exec(conf)?.[1],
    );
    expect(() =>
      checkVisibilityTimeout(callbackVisibility, callbacks.timeoutSeconds, 'callbacks'),
    ).not.toThrow();
  }, 60_000);

  it('packages for AWS with no credentials: reserved concurrency 4, MaximumConcurrency 4, partial batch failures, DLQ', async () => {
    const { dir, cleanup } = await tempDir();
    const env = { ...process.env };
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const result = await runCommand(
      path.join(projectDir, 'node_modules', '.bin', 'serverless'),
      ['package', '--package', dir],
      {
        cwd: projectDir,
        env,
      },
    );
    expect(result.code).toBe(0);
    const template = JSON.parse(
      await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    const mapping = resources.find((r) => r.Type === 'AWS::Lambda::EventSourceMapping')?.Properties;
    expect(mapping).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    expect(template.Resources.RunJobsLambdaFunction?.Properties).toMatchObject({
      ReservedConcurrentExecutions: 4,
      Timeout: 660,
    });
    expect(template.Resources.JobsQueue?.Properties).toMatchObject({
      VisibilityTimeout: 3960,
      RedrivePolicy: { maxReceiveCount: 10 },
    });
    await cleanup();
  }, 120_000);
});

describe("serverlessLogLevel (serverless offline's own lines follow LOG_LEVEL)", () => {
  it('keeps its request lines at info and drops them from warn up', () => {
    expect(serverlessLogLevel('info')).toBe('notice');
    expect(serverlessLogLevel('warn')).toBe('warning');
    expect(serverlessLogLevel('error')).toBe('error');
    expect(serverlessLogLevel('silent')).toBe('error');
    expect(serverlessLogLevel('debug')).toBe('debug');
  });
});
