import path from 'node:path';
import { build } from 'esbuild';
import { startEnvironmentPool } from '../../../lib/local/environment-pool';
import type { EnvironmentPool } from '../../../lib/local/environment-pool';
import { liveTaskProcesses } from '../../../lib/process/task-processes';
import { eventually } from '../../helpers/elasticmq';
import { sqsEvent, sqsRecord } from '../../helpers/events';
import { tempDir } from '../../helpers/temp-dir';

/** The environment program and a fixture handler, bundled as the local stack bundles the consumer. */
async function bundle(outDir: string): Promise<{ environmentFile: string; handlerFile: string }> {
  const environmentFile = path.join(outDir, 'lambda-environment.js');
  const handlerFile = path.join(outDir, 'pool-handler.js');
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    logLevel: 'silent' as const,
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(__dirname, '../../../lib/local/lambda-environment.ts')],
      outfile: environmentFile,
    }),
    build({
      ...common,
      entryPoints: [path.join(__dirname, '../../fixtures/lambda/pool-handler.ts')],
      outfile: handlerFile,
    }),
  ]);
  return { environmentFile, handlerFile };
}

const invocation = (action: string, ms?: number) => sqsEvent(sqsRecord({ body: { action, ms } }));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the consumer execution environments (local emulation)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let files: { environmentFile: string; handlerFile: string };
  const pools: EnvironmentPool[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('spawn-queue-environments-'));
    files = await bundle(path.join(dir, 'bundle'));
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });
  afterAll(async () => {
    await cleanup();
  });

  async function pool(options: { size: number; timeoutSeconds?: number; handlerFile?: string }) {
    const started = await startEnvironmentPool({
      settings: {
        handler: 'pool-handler.handler',
        handlerFile: options.handlerFile ?? files.handlerFile,
        functionName: 'runJobs',
        timeoutSeconds: options.timeoutSeconds ?? 30,
        memorySize: 512,
        region: 'us-east-1',
      },
      environmentFile: files.environmentFile,
      size: options.size,
      taskWorkDir: path.join(dir, 'tasks'),
    });
    pools.push(started);
    return started;
  }
  const pidOf = async (environments: EnvironmentPool) =>
    ((await environments.invoke(invocation('pid'))) as { pid: number }).pid;

  it('runs each invocation in an environment of its own, never two at once in one', async () => {
    const environments = await pool({ size: 4 });
    const results = (await Promise.all(
      Array.from({ length: 12 }, () => environments.invoke(invocation('pid', 100))),
    )) as { pid: number; overlapped: boolean }[];
    expect(new Set(results.map((r) => r.pid)).size).toBe(4);
    expect(results.map((r) => r.pid)).not.toContain(process.pid);
    expect(results.filter((r) => r.overlapped)).toEqual([]);
  }, 60_000);

  it('keeps the environment when the handler throws (a function error)', async () => {
    const environments = await pool({ size: 1 });
    const first = await pidOf(environments);
    await expect(environments.invoke(invocation('throw'))).rejects.toThrow('handler failed');
    expect(await pidOf(environments)).toBe(first);
  }, 60_000);

  it('fails an invocation past the timeout, ends its task processes and starts the slot afresh', async () => {
    const environments = await pool({ size: 1, timeoutSeconds: 1 });
    const first = await pidOf(environments);
    await expect(environments.invoke(invocation('task'))).rejects.toThrow('Task timed out after 1 seconds');
    expect(await liveTaskProcesses(path.join(dir, 'tasks'))).toEqual([]);
    expect(isAlive(first)).toBe(false);
    const second = await pidOf(environments);
    expect(second).not.toBe(first);
  }, 60_000);

  it('fails the invocation of an environment that exits, and cold-starts the next one', async () => {
    const environments = await pool({ size: 1 });
    const first = await pidOf(environments);
    await expect(environments.invoke(invocation('exit'))).rejects.toThrow('exited (code 3)');
    expect(await pidOf(environments)).not.toBe(first);
  }, 60_000);

  it('closing ends every environment and the task processes they started', async () => {
    const environments = await pool({ size: 2 });
    const pids = [await pidOf(environments)];
    void environments.invoke(invocation('task'));
    const tasks = await eventually(
      () => liveTaskProcesses(path.join(dir, 'tasks')),
      (found) => found.length === 1,
    );
    expect(tasks).toHaveLength(1);
    await environments.close();
    expect(await liveTaskProcesses(path.join(dir, 'tasks'))).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
  }, 60_000);

  it('does not start when the handler cannot be loaded, and says why', async () => {
    await expect(pool({ size: 2, handlerFile: path.join(dir, 'missing.js') })).rejects.toThrow(
      /an execution environment of runJobs could not start: .*missing\.js/,
    );
  }, 60_000);
});
