import { JOB_STATUSES } from '../jobs/job-record';

/** The OpenAPI document's component schemas (openapi.ts builds the operations over them). */
export type Schema = Record<string, unknown>;

/** One answer of an operation: its description, its JSON schema (or a text type), its headers. */
export interface Answer {
  description: string;
  schema?: Schema;
  /** A text body of this media type instead of JSON. */
  text?: string;
  headers?: string[];
}

export interface Operation {
  /** Defaults to the route's words (`GET /api/jobs/{id}` → getApiJobsId). */
  operationId?: string;
  summary: string;
  parameters?: Schema[];
  requestBody?: Schema;
  answers: Record<string, Answer>;
  public?: boolean;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const nullable = (schema: Schema) => ({ oneOf: [schema, { type: 'null' }] });
export const object = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
export const errorAnswer = (description: string, headers?: string[]): Answer => ({
  description,
  schema: ref('Error'),
  headers,
});
export const integer = { type: 'integer' };
export const number = { type: 'number' };
export const string = { type: 'string' };
export const time = { type: 'string', format: 'date-time' };
/** A concurrency key as a submit gives it (lib/jobs/concurrency-keys.ts). */
export const CONCURRENCY_KEY: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
};

const JOB_PROPERTIES: Record<string, Schema> = {
  jobId: { type: 'string', format: 'uuid' },
  task: string,
  status: ref('JobStatus'),
  attempts: integer,
  input: { type: 'object' },
  scheduleId: { ...nullable({ type: 'string', format: 'uuid' }), description: 'the schedule that made it' },
  scheduledFor: { ...nullable(time), description: 'the fire time of its schedule that made it' },
  concurrencyKey: {
    ...nullable(CONCURRENCY_KEY),
    description: 'who the job belongs to: its key’s fair share of the slots and its task’s perKey',
  },
  exitCode: nullable(integer),
  signal: nullable(string),
  stdout: string,
  stderr: string,
  truncated: { type: 'boolean' },
  error: nullable(string),
  nextAttemptAt: nullable(time),
  runAt: { ...nullable(time), description: 'a delayed job: not started before this time' },
  startBy: { ...nullable(time), description: 'not started by this time, the job ends `expired`' },
  deadline: { ...nullable(time), description: 'the finish-by time its submit gave' },
  eta: {
    ...nullable(ref('Eta')),
    description: 'a waiting job: when it should start and finish, as the queue stands; null otherwise',
  },
  attemptHistory: { type: 'array', items: ref('Attempt') },
  callback: nullable(ref('Callback')),
  queuedAt: time,
  startedAt: nullable(time),
  finishedAt: nullable(time),
  waitMs: nullable(number),
  runMs: nullable(number),
  usage: { ...nullable(ref('Usage')), description: 'what the last attempt used; null before it ended' },
  limits: {
    ...nullable(ref('JobLimits')),
    description: 'the task’s limits on the last attempt and how each held; null for a task without limits',
  },
  links: ref('JobLinks'),
};

const LIMIT_FIGURES: Record<string, Schema> = {
  memoryMb: { ...integer, description: 'memory of the job, in MB (1 MB = 1,048,576 bytes)' },
  cpuSeconds: { ...integer, description: 'CPU time of the job (user + system), in seconds' },
  processes: { ...integer, description: 'processes of the job at once' },
};
const HELD = {
  enum: ['job', 'process', 'sampled', 'none'],
  description:
    'job: for the whole job (a cgroup); process: for each process (rlimits); sampled: the job’s processes read every 250 ms and the job stopped over it; none: not held here',
};

export const SCHEMAS: Record<string, Schema> = {
  Error: {
    ...object({
      error: object({ code: { ...string, description: 'stable, for programs' }, message: string }),
    }),
    examples: [{ error: { code: 'job_not_found', message: 'no job 019ad2c4-5b1e-7c3a-9f00-1b2c3d4e5f60' } }],
  },
  JobStatus: { type: 'string', enum: [...JOB_STATUSES] },
  JobLinks: object({ self: string, cancel: string, retry: string }),
  Attempt: object({
    attempt: integer,
    startedAt: nullable(time),
    finishedAt: time,
    exitCode: nullable(integer),
    signal: nullable(string),
    error: nullable(string),
  }),
  Callback: object({
    url: string,
    status: {
      enum: ['pending', 'delivered', 'failed'],
      description: 'pending until delivered (a 2xx answer); failed: refused, or given up after 24 h',
    },
    attempts: { ...integer, description: 'deliveries tried' },
    lastError: nullable(string),
  }),
  Job: object(JOB_PROPERTIES),
  Usage: object({
    cpuMs: { ...integer, description: 'CPU time of every process of the job (user + system)' },
    peakMemoryBytes: {
      ...integer,
      description: 'peak memory of the whole job (scope job), or of its first process (scope process)',
    },
    processes: {
      ...integer,
      description:
        'the processes the job started: every one where the stack may read fork events (root); elsewhere as seen every 200-250 ms (one that lived shorter may be missed)',
    },
    scope: {
      enum: ['job', 'process'],
      description: 'job: measured over every process of the job (a cgroup); process: from its first process',
    },
  }),
  TaskLimits: object(LIMIT_FIGURES, []),
  LimitsHeld: object({ memoryMb: HELD, cpuSeconds: HELD, processes: HELD }),
  JobLimits: object({ ...LIMIT_FIGURES, held: ref('LimitsHeld') }, ['held']),
  Eta: object({
    startAt: {
      ...time,
      description:
        'when it should start: the running jobs and the jobs ahead of it served by the slots, each task’s mean run time',
    },
    finishAt: { ...time, description: 'when it should finish: its start and its task’s mean run time' },
  }),
  JobAccepted: object(
    {
      jobId: { type: 'string', format: 'uuid' },
      status: ref('JobStatus'),
      eta: { ...ref('Eta'), description: 'while it waits (queued or scheduled)' },
      links: ref('JobLinks'),
    },
    ['jobId', 'status', 'links'],
  ),
  DeadlineUnreachable: object({
    error: object({
      code: { const: 'deadline_unreachable' },
      message: string,
      eta: ref('Eta'),
    }),
  }),
  CancelRequested: object({ ...JOB_PROPERTIES, cancelRequested: { const: true } }),
  JobPage: object({
    jobs: { type: 'array', items: ref('Job') },
    nextCursor: nullable(string),
    links: object({ next: nullable(string) }),
  }),
  Task: object(
    {
      name: string,
      description: string,
      input: { type: 'object', description: 'the JSON Schema of the task’s input' },
      timeoutSeconds: number,
      maxOutputBytes: integer,
      limits: ref('TaskLimits'),
      limitsHeld: { ...ref('LimitsHeld'), description: 'how each limit holds on this runtime' },
      concurrency: {
        ...object({ perKey: { ...integer, minimum: 1 } }, []),
        description: 'perKey: at most this many jobs of the task with one concurrencyKey run at once',
      },
      available: { type: 'boolean' },
      unavailableReason: string,
      links: object({ submit: string }),
    },
    [
      'name',
      'description',
      'input',
      'timeoutSeconds',
      'maxOutputBytes',
      'limits',
      'limitsHeld',
      'concurrency',
      'available',
      'links',
    ],
  ),
  TaskList: object({ tasks: { type: 'array', items: ref('Task') } }),
  Percentiles: object({ p50: nullable(number), p95: nullable(number), p99: nullable(number) }),
  QueueStats: object({
    processPool: object({
      activeProcesses: integer,
      queuedTasks: integer,
      totalProcessed: integer,
      peakQueueSize: integer,
      utilizationPercent: number,
    }),
    maxConcurrency: integer,
    queue: object({ visible: integer, inFlight: integer, delayed: integer, deadLetter: integer }),
    retrying: integer,
    throughput: object({
      lastMinute: number,
      last5Minutes: number,
      last15Minutes: number,
      perMinute: { type: 'array', items: object({ minute: string, finished: integer }) },
    }),
    waitMs: ref('Percentiles'),
    runMs: ref('Percentiles'),
    jobs: object(Object.fromEntries(JOB_STATUSES.map((status) => [status, integer]))),
    running: {
      type: 'array',
      items: object({
        jobId: string,
        task: string,
        concurrencyKey: nullable(string),
        startedAt: nullable(time),
        elapsedMs: number,
      }),
    },
    concurrencyKeys: {
      type: 'array',
      description:
        'the live jobs of each concurrency key (the 50 with the most queued): running, and queued and due',
      items: object({ concurrencyKey: string, running: integer, queued: integer }),
    },
    concurrencyKeyCount: { ...integer, description: 'how many keys have live jobs' },
    generatedAt: time,
  }),
  Health: object({ sqs: { enum: ['ok'] }, store: { enum: ['ok'] } }),
  Unhealthy: object({
    sqs: { enum: ['ok', 'error'] },
    store: { enum: ['ok', 'error'] },
    error: object({ code: string, message: string }),
  }),
  SystemInfo: {
    type: 'object',
    required: ['service', 'version', 'stage', 'runtime', 'memory', 'cpu', 'uptimeSeconds', 'settings'],
    properties: { service: { const: 'spawn-queue' }, version: string, stage: string },
  },
  OutputPage: object({
    stream: { enum: ['stdout', 'stderr'] },
    attempt: { ...integer, description: 'the attempt the text is of; a new attempt starts again at 0' },
    offset: { ...integer, description: 'where `data` starts, in bytes of the UTF-8 text' },
    nextOffset: { ...integer, description: 'the `offset` of the next read' },
    data: string,
    complete: { type: 'boolean', description: 'the job is final and nothing more will come' },
    truncated: { type: 'boolean', description: 'the task wrote more than its output cap' },
  }),
  Redrive: object({ moved: { ...integer, description: 'how many messages were moved' } }),
};
