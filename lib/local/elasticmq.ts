import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../queue/sqs-client';
import { runCommand, spawnTethered, stopProcessGroup } from './child-processes';
import { waitUntil } from './ports';
import { StackError } from './stack-errors';
import { writeFileAtomic } from './atomic-file';

export const ELASTICMQ_ARTIFACT = 'org.elasticmq:elasticmq-server_2.13';

/**
 * A JVM sized for one local queue server: the serial collector (no GC threads, no per-thread heap
 * regions), a heap that starts small and stays under 128 MB (ElasticMQ's in-memory queues of a local
 * stack need a few MB), smaller thread stacks and code cache, and the client compiler only (C2's
 * compilations held ~30 MB more after a load of 4,000 jobs, 142-145 MB against 171-180, for no gain
 * in jobs per second at these rates). Its resident memory idle: ~150 MB with the JVM's defaults and
 * -Xmx256m, about half with these.
 */
export const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-Xms16m',
  '-Xmx128m',
  '-Xss512k',
  '-XX:ReservedCodeCacheSize=48m',
  '-XX:TieredStopAtLevel=1',
  '-XX:MaxMetaspaceSize=96m',
  '-XX:+ExitOnOutOfMemoryError',
];
const MAIN_CLASS = 'org.elasticmq.server.Main';

export interface ElasticMqPaths {
  /** The project root (where elasticmq/pom.xml and elasticmq/elasticmq.conf live). */
  projectDir: string;
  /** Where the resolved classpath is cached (outside git). */
  cacheDir?: string;
}

// Maven colours its output even with -B on some terminals.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (line: string) => line.replace(ANSI, '');

/** Throws a StackError when no Java runtime is on the PATH. */
export async function checkJava(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const { code } = await runCommand('java', ['-version'], { cwd: process.cwd(), env });
    if (code !== 0) throw new Error(`exit code ${code}`);
  } catch (cause) {
    throw new StackError(
      'Java was not found: ElasticMQ needs a Java runtime (8 or newer) on the PATH, e.g. `apt-get install openjdk-17-jre-headless`; or set SQS_ENDPOINT to an SQS that is already running',
      { cause },
    );
  }
}

async function allExist(files: string[]): Promise<boolean> {
  try {
    await Promise.all(files.map((f) => access(f)));
    return true;
  } catch {
    return false;
  }
}

/**
 * The Java classpath of the pinned ElasticMQ server. The first call has Maven resolve the pom into
 * the local Maven repository (a download); later calls reuse the cached list while its jars exist.
 */
export async function resolveClasspath({ projectDir, cacheDir }: ElasticMqPaths): Promise<string> {
  const pom = path.join(projectDir, 'elasticmq', 'pom.xml');
  const digest = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex')
    .slice(0, 16);
  const cache = path.join(
    cacheDir ?? path.join(projectDir, '.cache', 'elasticmq'),
    `classpath-${digest}.txt`,
  );
  const cached = await readFile(cache, 'utf8').catch(() => '');
  if (cached && (await allExist(cached.trim().split(path.delimiter)))) return cached.trim();

  await mkdir(path.dirname(cache), { recursive: true });
  const outputFile = `${cache}.mvn`;
  let result;
  try {
    result = await runCommand(
      'mvn',
      [
        '-q',
        '-B',
        '-f',
        pom,
        'dependency:build-classpath',
        `-Dmdep.outputFile=${outputFile}`,
        '-Dmdep.includeScope=runtime',
      ],
      { cwd: projectDir },
    );
  } catch (cause) {
    throw new StackError(
      'Maven (mvn) was not found: it fetches ElasticMQ on the first start; install Maven, or set SQS_ENDPOINT to an SQS that is already running',
      { cause },
    );
  }
  const classpath = (await readFile(outputFile, 'utf8').catch(() => '')).trim();
  if (result.code !== 0 || !classpath) {
    const reason =
      result.output
        .split('\n')
        .map((l) => stripAnsi(l).trim())
        .find((l) => l.startsWith('[ERROR]'))
        ?.slice(0, 300) ?? `mvn exited with ${result.code}`;
    throw new StackError(
      `Maven could not resolve ${ELASTICMQ_ARTIFACT} (is Maven Central reachable?): ${reason}`,
    );
  }
  await writeFileAtomic(cache, classpath);
  return classpath;
}

export interface ElasticMqOptions extends ElasticMqPaths {
  port: number;
  /** Overrides for the config file's `${?NAME}` settings, e.g. JOBS_VISIBILITY_TIMEOUT: '2 seconds'. */
  settings?: Record<string, string>;
  /** Server log (ElasticMQ logs a lot at INFO); defaults to .cache/elasticmq/server-<port>.log. */
  logFile?: string;
  startTimeoutMs?: number;
}

export interface ElasticMq {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function healthUrl(endpoint: string): string {
  return `${endpoint}/health`;
}

/** Starts ElasticMQ with the project's config file and waits until its SQS API lists the queues. */
export async function startElasticMq(options: ElasticMqOptions): Promise<ElasticMq> {
  await checkJava();
  const classpath = await resolveClasspath(options);
  const endpoint = `http://localhost:${options.port}`;
  const logFile =
    options.logFile ?? path.join(options.projectDir, '.cache', 'elasticmq', `server-${options.port}.log`);
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawnTethered(
    'java',
    [
      ...JVM_FLAGS,
      `-Dconfig.file=${path.join(options.projectDir, 'elasticmq', 'elasticmq.conf')}`,
      '-cp',
      classpath,
      MAIN_CLASS,
    ],
    {
      cwd: options.projectDir,
      env: { ...process.env, ...options.settings, ELASTICMQ_PORT: String(options.port) },
      output: 'pipe',
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => (exited = true));

  const stop = () => stopProcessGroup(child);

  // Ready means its SQS API answers with the configured queues (/health can answer a moment before,
  // and a listing implies it).
  const sqs = createSqsClient(
    { region: 'us-east-1', sqsEndpoint: endpoint, useLocalCredentials: true },
    { requestTimeoutMs: 2000 },
  );
  const queuesAnswer = async () => {
    const listed = await sqs.send(new ListQueuesCommand({})).catch(() => undefined);
    return (listed?.QueueUrls?.length ?? 0) > 0;
  };
  const up = await waitUntil(async () => !exited && (await queuesAnswer()), options.startTimeoutMs ?? 60_000);
  sqs.destroy();
  if (!up) {
    await stop();
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-1)[0] ?? '';
    throw new StackError(
      `ElasticMQ did not start on port ${options.port}: ${tail.slice(0, 300) || 'no output'} (log: ${logFile})`,
    );
  }
  return { endpoint, process: child, stop };
}
