import path from 'node:path';
import { resendPendingCallbacks, resendUnfinished } from '../jobs/job-lifecycle';
import { killTaskProcesses } from '../process/task-processes';
import type { Services } from '../services';
import type { ConsumerProcess } from './consumer-process';
import { startDynalite } from './dynalite';
import type { Dynalite } from './dynalite';
import { healthUrl, startElasticMq } from './elasticmq';
import type { ElasticMq } from './elasticmq';
import type { LocalStackOptions } from './local-stack';
import { answers, isPortFree } from './ports';
import { portsCheck } from './stack-checks';
import { StackError } from './stack-errors';
import type { Part, Supervised, SupervisorOptions } from './supervisor';

/*
 * The servers the local stack runs beside its functions (ElasticMQ, dynalite), what it has started
 * so far, and how it stops them.
 */

/** What the stack has started so far: what its stop stops, in the order that loses nothing. */
export interface StackParts {
  elasticMq?: ElasticMq;
  queueSupervisor?: Supervised<ElasticMq>;
  dynalite?: Dynalite;
  dynaliteSupervisor?: Supervised<Dynalite>;
  offline?: Supervised<Part>;
  consumerProcess?: ConsumerProcess;
  maintenance?: { stop(): Promise<void> };
  /** The stack's own services (store, jobs queue, callbacks queue): its repair and maintenance. */
  services?: Services;
  taskWorkDir?: string;
}

/**
 * Stops in the order that loses nothing: no new invocations, then the handlers, then the task
 * processes they left (each runs in its own process group), then the queue and the store's server.
 */
export async function stopParts(parts: StackParts): Promise<void> {
  await parts.maintenance?.stop();
  await parts.services?.schedules.close().catch(() => undefined);
  await parts.services?.store.close().catch(() => undefined);
  // An ElasticMQ we started goes away with its messages: no need to hand receives back gracefully.
  await parts.consumerProcess?.stop({ drain: false, graceful: !parts.elasticMq }).catch(() => undefined);
  await parts.offline?.stop();
  if (parts.taskWorkDir) await killTaskProcesses(parts.taskWorkDir).catch(() => undefined);
  await Promise.all([
    parts.queueSupervisor ? parts.queueSupervisor.stop() : parts.elasticMq?.stop(),
    parts.dynaliteSupervisor ? parts.dynaliteSupervisor.stop() : parts.dynalite?.stop(),
  ]);
}

/** Keeps a part running: restarted when it exits on its own; a give-up ends the stack. */
export type Keep = <T extends Part>(
  first: T,
  options: Omit<SupervisorOptions<T>, 'say' | 'onGiveUp'>,
) => Supervised<T>;

/** JOB_STORE=dynamodb without DYNAMODB_ENDPOINT: dynalite, the local DynamoDB, kept running. */
export async function startStoreServer(
  options: Pick<LocalStackOptions, 'projectDir'>,
  env: NodeJS.ProcessEnv,
  parts: StackParts,
  { port, say, keep }: { port: number; say: (line: string) => void; keep: Keep },
): Promise<void> {
  await portsCheck([[port, 'dynalite, the local DynamoDB', 'DYNAMODB_PORT', 'stop what uses it']]);
  const dataDir = path.join(env.JOB_STORE_DIR!, 'dynamodb');
  say(`starting dynalite (the local DynamoDB) on port ${port}, data in ${dataDir}`);
  const start = () => startDynalite({ projectDir: options.projectDir, port, dataDir, env });
  parts.dynalite = await start();
  env.DYNAMODB_ENDPOINT = parts.dynalite.endpoint;
  // Its data lives on disk (dataDir): a restart loses nothing, so nothing needs repairing after it.
  parts.dynaliteSupervisor = keep(parts.dynalite, {
    name: 'dynalite',
    start,
    meanwhile: 'submits and reads answer 503 store_unavailable until it is back',
  });
}

/** ElasticMQ started (the first start downloads it), or one already answering on its port used. */
export async function startQueueServer(
  options: Pick<LocalStackOptions, 'projectDir' | 'sqsEndpoint' | 'elasticMqSettings'>,
  parts: StackParts,
  {
    port,
    sqsEndpoint,
    say,
    failed,
  }: { port: number; sqsEndpoint: string; say: (line: string) => void; failed: (reason: string) => void },
): Promise<(() => Promise<ElasticMq>) | undefined> {
  if (options.sqsEndpoint) {
    say(`using the SQS at ${sqsEndpoint} (SQS_ENDPOINT is set; ElasticMQ is not started)`);
    return undefined;
  }
  const start = () =>
    startElasticMq({ projectDir: options.projectDir, port, settings: options.elasticMqSettings });
  if (await isPortFree(port)) {
    say(`starting ElasticMQ on port ${port} (the first start downloads it with Maven)`);
    const elasticMq = await start();
    parts.elasticMq = elasticMq;
    // Until the stack is up an exit is a failed start; then the supervisor restarts it.
    elasticMq.process.once('exit', (code) => {
      if (!parts.queueSupervisor) failed(`ElasticMQ exited (code ${code})`);
    });
    say(`ElasticMQ ready at ${sqsEndpoint}`);
    return start;
  }
  if (await answers(healthUrl(sqsEndpoint))) {
    say(`ElasticMQ already answers on port ${port}: using it (it is not stopped on exit)`);
    return undefined;
  }
  throw new StackError(
    `port ${port} is busy with something that is not ElasticMQ: stop it, or set SQS_ENDPOINT to an SQS to use`,
  );
}

/**
 * A fresh in-memory ElasticMQ has lost the messages of the jobs the last run left queued or running:
 * they are sent again and the leases of the attempts its stop killed ended, so nothing stays
 * unfinished forever (a shared queue, given by SQS_ENDPOINT, still has them); the same for the
 * completion callbacks still to deliver (their next tries waited in the lost queue). After a restart
 * of ElasticMQ, the same, without taking running jobs over (the consumer still runs them).
 */
export async function repairAndKeepQueue(
  services: Services,
  elasticMq: ElasticMq,
  start: () => Promise<ElasticMq>,
  { say, keep }: { say: (line: string) => void; keep: Keep },
): Promise<Supervised<ElasticMq>> {
  const { store, queue, callbacks } = services;
  const [requeued, told] = await Promise.all([
    resendUnfinished({ store, queue }),
    resendPendingCallbacks({ store, callbacks }),
  ]);
  if (requeued > 0) say(`sent ${requeued} unfinished job(s) from the last run to the new queue again`);
  if (told > 0) say(`sent ${told} pending completion callback(s) from the last run to the new queue again`);
  return keep(elasticMq, {
    name: 'ElasticMQ',
    start,
    afterRestart: async () => {
      const [sent, resent] = await Promise.all([
        resendUnfinished({ store, queue }, { releaseRunning: false }),
        resendPendingCallbacks({ store, callbacks }),
      ]);
      return `its queues are recreated and ${sent} unfinished job(s) and ${resent} pending callback(s) were sent again`;
    },
    meanwhile: 'submits answer 503 until it is back',
  });
}
