import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { checkJava, resolveClasspath } from '../../../lib/local/elasticmq';
import { startLocalStack } from '../../../lib/local/local-stack';
import { freePort } from '../../../lib/local/ports';
import { StackError } from '../../../lib/local/stack-errors';
import { tableCheck } from '../../../lib/local/stack-checks';
import { localDynamoDbClient } from '../../../lib/local/dynalite';
import jobTable from '../../../config/job-table.json';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { runCommand } from '../../../lib/local/child-processes';
import { silentLogger, tempDir } from '../../helpers/services';

const projectDir = path.resolve(__dirname, '..', '..', '..');

/** Runs `npm start`'s script in `cwd` and returns what it printed and its exit code. */
function runStart(env: NodeJS.ProcessEnv, cwd = projectDir) {
  return runCommand(process.execPath, [path.join(cwd, 'scripts', 'launch.js'), 'scripts/start.ts'], {
    cwd,
    env: { ...process.env, ...env },
  });
}

describe('the local stack explains each failure in one line', () => {
  it('says when Java is missing', async () => {
    await expect(checkJava({ ...process.env, PATH: '/nonexistent' })).rejects.toThrow(
      /^Java was not found: ElasticMQ needs a Java runtime/,
    );
  });

  it('says when Maven cannot resolve ElasticMQ', async () => {
    const { dir, cleanup } = await tempDir();
    await mkdir(path.join(dir, 'elasticmq'));
    const pom = await readFile(path.join(projectDir, 'elasticmq', 'pom.xml'), 'utf8');
    await writeFile(
      path.join(dir, 'elasticmq', 'pom.xml'),
      pom.replace('<version>1.7.1</version>', '<version>0.0.0-missing</version>'),
    );
    await expect(resolveClasspath({ projectDir: dir })).rejects.toThrow(
      /^Maven could not resolve org\.elasticmq:elasticmq-server_2\.13 \(is Maven Central reachable\?\)/,
    );
    await cleanup();
  }, 120_000);

  it('says when the local job table was made by an older version, without an index this one reads', async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
    const client = localDynamoDbClient(endpoint);
    const TableName = `old-jobs-${Date.now()}`;
    const byStatus = jobTable.GlobalSecondaryIndexes.find((index) => index.IndexName === 'byStatus')!;
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: jobTable.KeySchema as never,
        AttributeDefinitions: jobTable.AttributeDefinitions.filter((a) =>
          ['pk', 'sk', 'jobStatus', 'jobId'].includes(a.AttributeName),
        ) as never,
        GlobalSecondaryIndexes: [byStatus] as never,
      }),
    );
    try {
      await expect(tableCheck({ dynamodbEndpoint: endpoint, jobTableName: TableName })).rejects.toThrow(
        new StackError(
          `table "${TableName}" was made by an older spawn-queue and lacks the index(es) byCreation, byKey, byUncounted, which dynalite cannot add: delete the local DynamoDB data directory, or set JOB_TABLE_NAME to a new table`,
        ),
      );
    } finally {
      await client.send(new DeleteTableCommand({ TableName }));
      client.destroy();
    }
  });

  it('says when SQS_ENDPOINT does not answer, and starts nothing', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const ports = { httpPort: await freePort(), lambdaPort: await freePort() };
    const attempt = startLocalStack({ projectDir, ...ports, sqsEndpoint: dead, logger: silentLogger });
    await expect(attempt).rejects.toThrow(StackError);
    await expect(attempt).rejects.toThrow(new RegExp(`^SQS at ${dead} does not answer for queue`));
  }, 60_000);

  it('npm start prints one line and exits 1 when its port is busy (no stack trace)', async () => {
    const busy = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    try {
      const { code, output } = await runStart({ HTTP_PORT: String(port) });
      expect(code).toBe(1);
      expect(output.trim()).toBe(
        `spawn-queue: port ${port} (the HTTP API) is busy: is spawn-queue already running? Stop it, or set HTTP_PORT to another port`,
      );
    } finally {
      busy.close();
    }
  }, 30_000);

  it('npm start refuses a broken task catalogue, naming the entry and field', async () => {
    const { dir, cleanup } = await tempDir();
    await cp(projectDir, dir, {
      recursive: true,
      filter: (source) =>
        !/^\/(node_modules|\.git|\.cache|\.data|\.esbuild|\.serverless)(\/|$)/.test(
          source.slice(projectDir.length),
        ),
    });
    await symlink(path.join(projectDir, 'node_modules'), path.join(dir, 'node_modules'));
    const tasks = JSON.parse(await readFile(path.join(dir, 'config', 'tasks.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    tasks.sleep!.timeoutSeconds = -5;
    await writeFile(path.join(dir, 'config', 'tasks.json'), JSON.stringify(tasks));
    const result = await runStart({ HTTP_PORT: '1' }, dir);
    expect(result.code).toBe(1);
    expect(result.output.trim()).toBe(
      'spawn-queue: config/tasks.json: task "sleep": timeoutSeconds must be an integer from 1 to 840',
    );
    await cleanup();
  }, 60_000);
});
