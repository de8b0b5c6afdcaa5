import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import jobTable from '../../config/job-table.json';
import { tempDir } from '../helpers/temp-dir';

/**
 * The deployed stack, checked without an AWS account: `serverless package` renders the CloudFormation
 * template (no credentials needed) and every promise of serverless.yml is read back from it.
 */
const projectDir = path.resolve(__dirname, '..', '..');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

let resources: Record<string, Json>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('spawn-queue-template-');
  cleanup = temp.cleanup;
  await promisify(execFile)(
    path.join(projectDir, 'node_modules', '.bin', 'serverless'),
    ['package', '--stage', 'prod', '--package', temp.dir],
    {
      cwd: projectDir,
      // Nothing of the caller's environment: what a deployer without local overrides renders, with
      // the two throttling settings set to show that they are read.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, API_RATE_LIMIT: '7', API_BURST_LIMIT: '9' },
      timeout: 120_000,
    },
  );
  const template = JSON.parse(
    await readFile(path.join(temp.dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as { Resources: Record<string, Json> };
  resources = template.Resources;
}, 120_000);

afterAll(async () => {
  await cleanup?.();
});

const fn = (name: string) => resources[`${name[0]!.toUpperCase()}${name.slice(1)}LambdaFunction`]!;

/** The statements of a function's own role, logs statements left out. */
function statementsOf(name: string): Statement[] {
  const roleId = fn(name).Properties.Role['Fn::GetAtt'][0] as string;
  const role = resources[roleId]!;
  return (role.Properties.Policies as Json[])
    .flatMap((policy) => policy.PolicyDocument.Statement as Statement[])
    .filter((statement) => ![statement.Action].flat().every((action) => action.startsWith('logs:')));
}

function actionsOf(name: string): string[] {
  return [...new Set(statementsOf(name).flatMap((s) => [s.Action].flat()))].sort();
}

const HTTP_FUNCTIONS = [
  'retryJob',
  'redriveDeadLetters',
  'health',
  'systemInfo',
  'listTasks',
  'openApi',
  'submitJob',
  'getJob',
  'getJobOutput',
  'listJobs',
  'cancelJob',
  'queueStats',
  'metrics',
  'dashboard',
  'noRoute',
  'createSchedule',
  'listSchedules',
  'getSchedule',
  'updateSchedule',
  'deleteSchedule',
];
const QUEUE_FUNCTIONS = ['runJobs', 'deliverCallbacks'];
const SCHEDULED_FUNCTIONS = ['reconcileQueue', 'fireSchedules'];

describe('the deployed template', () => {
  it('has the job table: on demand, point-in-time recovery, TTL, the keys the code uses', () => {
    const table = resources.JobsTable!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toEqual({
      TableName: 'spawn-queue-prod-jobs',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: jobTable.KeySchema,
      AttributeDefinitions: jobTable.AttributeDefinitions,
      GlobalSecondaryIndexes: jobTable.GlobalSecondaryIndexes,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('points every function at the DynamoDB store, AWS endpoints and the token parameter', () => {
    for (const name of [...HTTP_FUNCTIONS, ...QUEUE_FUNCTIONS]) {
      const variables = fn(name).Properties.Environment.Variables as Record<string, string>;
      expect(variables).toMatchObject({
        JOB_STORE: 'dynamodb',
        JOB_TABLE_NAME: 'spawn-queue-prod-jobs',
        JOB_RETENTION_DAYS: '30',
        API_TOKEN_PARAMETER: '/spawn-queue/prod/api-token-hashes',
        SQS_ENDPOINT: '',
        CALLBACK_ALLOW_INTERNAL: 'false',
        CLOUDWATCH_METRICS: 'true',
      });
      expect(variables).not.toHaveProperty('JOB_STORE_DIR');
      expect(variables).not.toHaveProperty('API_TOKEN_HASHES');
    }
  });

  it('gives each function a role of its own, and no role is left unused', () => {
    const all = [...HTTP_FUNCTIONS, ...QUEUE_FUNCTIONS, ...SCHEDULED_FUNCTIONS];
    const roles = new Set(all.map((name) => fn(name).Properties.Role['Fn::GetAtt'][0]));
    expect(roles.size).toBe(all.length);
    const allRoles = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(allRoles.map(([id]) => id).sort()).toEqual([...roles].sort());
  });

  it('grants each function only the actions it calls', () => {
    const tokenRead = ['ssm:GetParameter'];
    expect(actionsOf('health')).toEqual(['dynamodb:GetItem', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']);
    expect(actionsOf('dashboard')).toEqual([]);
    expect(actionsOf('systemInfo')).toEqual(tokenRead);
    expect(actionsOf('listTasks')).toEqual(tokenRead);
    expect(actionsOf('openApi')).toEqual(tokenRead);
    expect(actionsOf('noRoute')).toEqual(tokenRead);
    expect(actionsOf('getJob')).toEqual(['dynamodb:GetItem', 'dynamodb:Query', ...tokenRead]);
    expect(actionsOf('getJobOutput')).toEqual(['dynamodb:GetItem', 'dynamodb:Query', ...tokenRead]);
    expect(actionsOf('listJobs')).toEqual(['dynamodb:Query', ...tokenRead]);
    expect(actionsOf('submitJob')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      ...tokenRead,
    ]);
    expect(actionsOf('cancelJob')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      ...tokenRead,
    ]);
    expect(actionsOf('retryJob')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      ...tokenRead,
    ]);
    expect(actionsOf('redriveDeadLetters')).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ListMessageMoveTasks',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
      'sqs:StartMessageMoveTask',
      ...tokenRead,
    ]);
    // The schedules: each route what it calls; the scheduler reads schedules and jobs, makes jobs.
    expect(actionsOf('createSchedule')).toEqual(['dynamodb:PutItem', 'dynamodb:Query', ...tokenRead]);
    expect(actionsOf('listSchedules')).toEqual(['dynamodb:Query', ...tokenRead]);
    expect(actionsOf('getSchedule')).toEqual(['dynamodb:GetItem', ...tokenRead]);
    expect(actionsOf('updateSchedule')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', ...tokenRead]);
    expect(actionsOf('deleteSchedule')).toEqual(['dynamodb:DeleteItem', ...tokenRead]);
    expect(actionsOf('fireSchedules')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    // The reconciler reads the depth and the waiting jobs, and sends to the jobs queue: nothing else.
    expect(actionsOf('reconcileQueue')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(actionsOf('metrics')).toEqual(actionsOf('queueStats'));
    expect(actionsOf('queueStats')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      ...tokenRead,
    ]);
    expect(actionsOf('runJobs')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(actionsOf('deliverCallbacks')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'ssm:GetParameter',
    ]);
  });

  it('lets only the callback deliverer read the callback secret parameter, and names none by default', () => {
    const parameterRead = (name: string) =>
      statementsOf(name)
        .filter((s) => [s.Action].flat().includes('ssm:GetParameter'))
        .map((s) => JSON.stringify(s.Resource));
    expect(parameterRead('deliverCallbacks')).toEqual([
      expect.stringContaining(':parameter/spawn-queue/prod/callback-secret'),
    ]);
    for (const name of [...HTTP_FUNCTIONS, 'runJobs']) {
      expect(parameterRead(name).join()).not.toContain('callback-secret');
    }
    // Off until a deployer names the parameter (or gives CALLBACK_SECRET): submits with a callback are refused.
    const variables = fn('deliverCallbacks').Properties.Environment.Variables as Record<string, string>;
    expect(variables).toMatchObject({ CALLBACK_SECRET_PARAMETER: '', CALLBACK_SECRET: '' });
  });

  it('keeps the queue roles apart: HTTP handlers cannot receive or delete jobs, the consumer sends only to its own queue', () => {
    const consuming = (name: string) =>
      statementsOf(name)
        .filter((st) =>
          [st.Action].flat().some((a) => a === 'sqs:ReceiveMessage' || a === 'sqs:DeleteMessage'),
        )
        .map((st) => JSON.stringify(st.Resource));
    // Only the redrive may, and only on the dead-letter queue (StartMessageMoveTask needs it).
    const others = HTTP_FUNCTIONS.filter((name) => name !== 'redriveDeadLetters');
    expect(others.flatMap(consuming)).toEqual([]);
    expect(consuming('redriveDeadLetters')).toEqual([expect.stringContaining('DeadLetterQueue')]);
    // A delayed job's message sent on until its time, to the jobs queue; a final job announced to
    // the callback deliverer; never the dead-letter queue.
    const sending = statementsOf('runJobs').filter((st) => [st.Action].flat().includes('sqs:SendMessage'));
    expect(sending.map((st) => JSON.stringify(st.Resource)).sort()).toEqual([
      expect.stringContaining('"CallbacksQueue"'),
      expect.stringContaining('"JobsQueue"'),
    ]);
    // The deliverer receives from its own queue only, and sends nothing.
    const delivererQueues = consuming('deliverCallbacks');
    expect(delivererQueues.length).toBeGreaterThan(0);
    for (const resource of delivererQueues)
      expect(resource).toMatch(/^\[?\{"Fn::GetAtt":\["CallbacksQueue","Arn"\]\}\]?$/);
    expect(actionsOf('deliverCallbacks')).not.toContain('sqs:SendMessage');
    // Only what reads the table can read it: no Scan anywhere, Query only on the two indexes.
    for (const name of [...HTTP_FUNCTIONS, ...QUEUE_FUNCTIONS])
      expect(actionsOf(name)).not.toContain('dynamodb:Scan');
    const query = statementsOf('listJobs').find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect(JSON.stringify(query.Resource)).toMatch(/index","byStatus.*index","byCreation.*index","byKey/);
  });

  it('has no wildcard in any action or resource, except the log-stream suffix AWS requires', () => {
    const wildcards: string[] = [];
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const policy of resource.Properties.Policies as Json[]) {
        for (const statement of policy.PolicyDocument.Statement as Statement[]) {
          for (const action of [statement.Action].flat())
            if (action.includes('*')) wildcards.push(`${id} ${action}`);
          for (const target of [statement.Resource].flat()) {
            const text = JSON.stringify(target);
            const logStreams = /:log-group:\/aws\/lambda\/spawn-queue-prod-\w+:\*(:\*)?"/.test(text);
            if (text.includes('*') && !logStreams) wildcards.push(`${id} ${text}`);
          }
        }
      }
    }
    expect(wildcards).toEqual([]);
  });

  it('throttles the HTTP API stage with the configured rate and burst', () => {
    const settings = resources.HttpApiStage!.Properties.DefaultRouteSettings as Json;
    // From the environment they render as numeric strings, which CloudFormation takes for numbers.
    expect(Number(settings.ThrottlingRateLimit)).toBe(7);
    expect(Number(settings.ThrottlingBurstLimit)).toBe(9);
  });

  it('gives the routes anyone may call without a token a lower ceiling of their own', () => {
    const stage = resources.HttpApiStage!;
    const routeKeys = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey as string);
    const publicRoutes = ['GET /api/health', 'GET /dashboard', '$default'];
    expect(routeKeys).toEqual(expect.arrayContaining(publicRoutes));
    expect(Object.keys(stage.Properties.RouteSettings as Json).sort()).toEqual([...publicRoutes].sort());
    for (const key of publicRoutes) {
      expect(stage.Properties.RouteSettings[key]).toEqual({
        ThrottlingRateLimit: 5,
        ThrottlingBurstLimit: 10,
      });
    }
    // Route settings name routes that must exist first.
    expect(stage.DependsOn).toEqual(
      expect.arrayContaining(['HttpApiRouteGetApiHealth', 'HttpApiRouteGetDashboard', 'HttpApiRouteDefault']),
    );
  });

  it('grants CORS to no origin by default: the HTTP API has no CORS configuration', () => {
    expect(resources.HttpApi!.Properties.CorsConfiguration).toBeUndefined();
  });

  it('runs the reconciler of lost messages every minute', () => {
    const rule = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.Targets).includes('ReconcileQueue'),
    );
    expect(rule?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
  });

  it('keeps the consumer at 4: reserved concurrency and the event source maximum agree', () => {
    expect(fn('runJobs').Properties.ReservedConcurrentExecutions).toBe(4);
    const mapping = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping')!;
    expect(mapping.Properties).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 4 } });
  });
});
