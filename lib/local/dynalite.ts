import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import jobTable from '../../config/job-table.json';
import { routeOutput, spawnTethered, stopProcessGroup } from './child-processes';
import type { ChildOutput } from './child-processes';
import { waitUntil } from './ports';
import { StackError } from './stack-errors';

/**
 * dynalite: a DynamoDB implementation on LevelDB (npm), the local stand-in for the deployed job
 * table. It runs as a child process of the stack (tethered like ElasticMQ), with its data under
 * `dataDir` (kept across restarts) or in memory.
 */
export interface Dynalite {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynaliteOptions {
  projectDir: string;
  port: number;
  /** Where its output goes; dropped by default (failures to start are reported as a StackError). */
  output?: ChildOutput;
  /** LevelDB directory; in memory when absent. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
}

export function localDynamoDbClient(endpoint: string | undefined): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** True when a DynamoDB API answers at `endpoint`. */
async function answersDynamoDb(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    await response.arrayBuffer();
    // Unsigned, so dynalite answers 400 MissingAuthenticationToken: it is up.
    return response.status < 500;
  } catch {
    return false;
  }
}

export async function startDynalite(options: DynaliteOptions): Promise<Dynalite> {
  const args = [
    path.join(options.projectDir, 'node_modules', 'dynalite', 'cli.js'),
    '--port',
    String(options.port),
    '--host',
    '127.0.0.1',
    '--createTableMs',
    '0',
    '--deleteTableMs',
    '0',
    '--updateTableMs',
    '0',
  ];
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    args.push('--path', options.dataDir);
  }
  const child = spawnTethered(process.execPath, args, {
    cwd: options.projectDir,
    env: options.env ?? process.env,
    output: options.output === 'inherit' ? 'inherit' : 'pipe',
  });
  routeOutput(child, options.output ?? (() => undefined));
  let exited = false;
  child.once('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopProcessGroup(child);
  if (!(await waitUntil(async () => !exited && (await answersDynamoDb(endpoint)), 30_000))) {
    await stop();
    throw new StackError(
      `dynalite did not start on port ${options.port}${options.dataDir ? ` (data in ${options.dataDir}: is another stack using it?)` : ''}`,
    );
  }
  return { endpoint, process: child, stop };
}

/**
 * Creates the job table as the deployed template does (config/job-table.json, which serverless.yml
 * reads too), unless it exists. On-demand billing, TTL and point-in-time recovery are AWS settings
 * dynalite does not model.
 */
export async function ensureJobTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ missingIndexes: string[] }> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // A table an older version made may lack an index this one reads (dynalite cannot add one).
    const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    return {
      missingIndexes: jobTable.GlobalSecondaryIndexes.map((i) => i.IndexName).filter((n) => !have.has(n)),
    };
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes } =
    jobTable as unknown as CreateTableCommandInput;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema,
      AttributeDefinitions,
      GlobalSecondaryIndexes,
    }),
  );
  return { missingIndexes: [] };
}
