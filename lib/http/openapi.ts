import { MAX_WAIT_SECONDS } from '../jobs/wait-for-job';
import type { Catalogue } from '../tasks/catalogue';
import { ROUTES } from './routes';
import { CONCURRENCY_KEY, errorAnswer, ref, SCHEMAS, string } from './openapi-schemas';
import type { Answer, Operation, Schema } from './openapi-schemas';
import { SCHEDULE_OPERATIONS, SCHEDULE_SCHEMAS } from './openapi-schedules';

/**
 * The OpenAPI 3.1 description of the HTTP API, built from the route table (routes.ts) and the task
 * catalogue itself: each task has a submit operation of its own whose body carries that task's input
 * schema, so a client sees exactly what `echo` takes. Served at `GET /api/openapi.json`; the
 * end-to-end suite checks every response it receives against it.
 */

/** The headers that matter; `required`: always there on the answers that name it. */
const HEADERS: Record<string, Schema> = {
  Location: { description: 'the URL of the job (or schedule) made', required: true, schema: string },
  'Retry-After': {
    description: 'seconds to wait before trying again (store and backlog refusals)',
    schema: string,
  },
  'WWW-Authenticate': { description: 'the scheme the API takes: Bearer', required: true, schema: string },
  'Idempotent-Replayed': {
    description: '`true` when a repeated request was answered with its first job',
    schema: string,
  },
};

/** The errors any route may answer. */
const COMMON: Record<string, Answer> = {
  '401': errorAnswer('a missing or wrong API token (`unauthorized`)', ['WWW-Authenticate']),
  '403': errorAnswer(
    'a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`)',
  ),
  '500': errorAnswer('an unexpected error (`internal_error`), or a job record that cannot be read'),
  '503': errorAnswer('the job store, the queue or the token store does not answer', ['Retry-After']),
};

const JOB_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
/** `?wait`: the long poll every waiting route takes, at most MAX_WAIT_SECONDS. */
const waitParameter = (description: string) => ({
  name: 'wait',
  in: 'query',
  description,
  schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS },
});
const WAIT = waitParameter('answer as soon as the job is final, or after this many seconds (0-25)');
const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  description: 'a repeated request with the same key answers with the first one’s job (1-255 characters)',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** Every route but the submit route, which has one operation per task (submitOperation). */
const OPERATIONS: Record<string, Operation> = {
  'GET /api/health': {
    summary: 'Whether SQS and the job store really answer',
    public: true,
    answers: {
      '200': { description: 'both answer', schema: ref('Health') },
      '503': { description: 'a part does not answer', schema: ref('Unhealthy') },
    },
  },
  'GET /api/system-info': {
    summary: 'Runtime, memory, load, version and the effective settings (no secrets)',
    answers: { '200': { description: 'the service', schema: ref('SystemInfo') } },
  },
  'GET /api/tasks': {
    summary: 'The task catalogue: what may run, the input each takes, what this runtime lacks',
    answers: { '200': { description: 'every task', schema: ref('TaskList') } },
  },
  'GET /api/jobs/{id}': {
    summary: 'A job',
    parameters: [JOB_ID, WAIT],
    answers: {
      '200': { description: 'the job', schema: ref('Job') },
      '400': errorAnswer('a malformed job id (`invalid_job_id`) or `?wait` (`invalid_query`)'),
      '404': errorAnswer('no such job (`job_not_found`)'),
    },
  },
  'GET /api/jobs/{id}/output': {
    summary: 'A job’s output from a byte offset on, while it runs (at most 500 ms old) and after',
    parameters: [
      JOB_ID,
      { name: 'stream', in: 'query', schema: { enum: ['stdout', 'stderr'], default: 'stdout' } },
      { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
      waitParameter(
        'answer as soon as there is text past `offset` or the job ends, at most this many seconds (0-25)',
      ),
    ],
    answers: {
      '200': { description: 'the text from `offset` on', schema: ref('OutputPage') },
      '400': errorAnswer('a malformed job id (`invalid_job_id`) or query parameter (`invalid_query`)'),
      '404': errorAnswer('no such job (`job_not_found`)'),
    },
  },
  'GET /api/jobs': {
    summary: 'Jobs, newest first, one page at a time',
    parameters: [
      { name: 'status', in: 'query', schema: ref('JobStatus') },
      {
        name: 'concurrencyKey',
        in: 'query',
        description: 'only the jobs of this concurrency key',
        schema: CONCURRENCY_KEY,
      },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      { name: 'cursor', in: 'query', description: 'the `nextCursor` of the page before', schema: string },
    ],
    answers: {
      '200': { description: 'a page', schema: ref('JobPage') },
      '400': errorAnswer('a query parameter out of range or empty (`invalid_query`)'),
    },
  },
  'DELETE /api/jobs/{id}': {
    summary: 'Cancel a job: at once if queued, its process stopped if running',
    parameters: [JOB_ID],
    answers: {
      '200': { description: 'cancelled (or already final)', schema: ref('Job') },
      '202': { description: 'running: its process is being stopped', schema: ref('CancelRequested') },
      '400': errorAnswer('a malformed job id (`invalid_job_id`)'),
      '404': errorAnswer('no such job (`job_not_found`)'),
      '409': errorAnswer('the job has finished (`job_finished`)'),
    },
  },
  'POST /api/jobs/{id}/retry': {
    summary: 'Run a failed, timed out or cancelled job again',
    parameters: [JOB_ID, IDEMPOTENCY_KEY],
    answers: {
      '202': { description: 'queued again', schema: ref('Job'), headers: ['Location'] },
      '400': errorAnswer('a malformed job id or Idempotency-Key'),
      '404': errorAnswer('no such job (`job_not_found`)'),
      '409': errorAnswer('the job is not failed, timed out or cancelled (`job_not_retryable`)'),
    },
  },
  'POST /api/dead-letters/redrive': {
    summary: 'Move the dead-letter queue’s messages back to the jobs queue',
    answers: {
      '200': { description: 'how many messages were moved', schema: ref('Redrive') },
    },
  },
  'GET /api/queue-stats': {
    summary: 'Queue depth, slots, throughput, wait and run times, jobs by status',
    answers: { '200': { description: 'the statistics', schema: ref('QueueStats') } },
  },
  'GET /api/metrics': {
    summary: 'The queue statistics in Prometheus’ text format (version 0.0.4)',
    answers: { '200': { description: 'the metrics', text: 'text/plain' } },
  },
  'GET /dashboard': {
    summary: 'The dashboard (HTML)',
    public: true,
    answers: { '200': { description: 'the page', text: 'text/html' } },
  },
  // Behind a token like GET /api/tasks when tokens are configured: it lists the catalogue.
  'GET /api/openapi.json': {
    operationId: 'getOpenApi',
    summary: 'This document',
    answers: { '200': { description: 'OpenAPI 3.1', schema: { type: 'object' } } },
  },
  ...SCHEDULE_OPERATIONS,
};

/** A value the schema takes, for the document's examples: its example, default, minimum, or a plain one. */
function exampleOf(schema: Schema): unknown {
  const examples = schema.examples as unknown[] | undefined;
  if (examples?.[0] !== undefined) return examples[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'string':
      return 'hello';
    case 'integer':
    case 'number':
      return (schema.minimum as number | undefined) ?? 1;
    case 'boolean':
      return true;
    case 'object':
      return Object.fromEntries(
        ((schema.required as string[] | undefined) ?? []).map((name) => [
          name,
          exampleOf((schema.properties as Record<string, Schema> | undefined)?.[name] ?? {}),
        ]),
      );
    default:
      return null;
  }
}

function submitOperation(task: { name: string; description: string; inputSchema: Schema }): Operation {
  return {
    summary: `Submit a \`${task.name}\` job: ${task.description}`,
    parameters: [WAIT, IDEMPOTENCY_KEY],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              input: task.inputSchema,
              delaySeconds: {
                type: 'integer',
                minimum: 0,
                maximum: 86_400,
                description:
                  'run it no earlier than this many seconds from now (the job is `scheduled` until then)',
              },
              runAt: {
                type: 'string',
                format: 'date-time',
                description:
                  'run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)',
              },
              startBy: {
                type: 'string',
                format: 'date-time',
                description:
                  'not started by this time, the job ends `expired` and never runs (later than now and than runAt)',
              },
              deadline: {
                type: 'string',
                format: 'date-time',
                description:
                  'finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued',
              },
              concurrencyKey: {
                ...CONCURRENCY_KEY,
                description:
                  'who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once',
              },
              callback: {
                type: 'object',
                description: 'POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final',
                properties: { url: { type: 'string', format: 'uri', maxLength: 2048 } },
                required: ['url'],
                additionalProperties: false,
              },
            },
            additionalProperties: false,
          },
          example: { input: exampleOf(task.inputSchema) },
        },
      },
    },
    answers: {
      '200': { description: 'with `?wait`: the job, final within the wait', schema: ref('Job') },
      '202': {
        description: 'queued',
        schema: ref('JobAccepted'),
        headers: ['Location', 'Idempotent-Replayed'],
      },
      '400': errorAnswer(
        'not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`)',
      ),
      '409': errorAnswer('an Idempotency-Key used before for another task or input'),
      '422': {
        description: 'the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued',
        schema: ref('DeadlineUnreachable'),
      },
      '413': errorAnswer('a body over the limit (`body_too_large`)'),
      '415': errorAnswer('a content type other than application/json'),
      '429': errorAnswer('the queue holds the most jobs it takes (`queue_full`)', ['Retry-After']),
      '503': errorAnswer('the store or the queue does not answer, or the task cannot run here', [
        'Retry-After',
      ]),
      '507': errorAnswer('the job store’s disk is full (`store_full`)'),
    },
  };
}

function operationObject(id: string, operation: Operation): Schema {
  const answers = { ...(operation.public ? { '500': COMMON['500']! } : COMMON), ...operation.answers };
  const responses = Object.fromEntries(
    Object.entries(answers).map(([status, answer]) => [
      status,
      {
        description: answer.description,
        ...(answer.headers
          ? {
              headers: Object.fromEntries(
                answer.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }]),
              ),
            }
          : {}),
        ...(answer.schema ? { content: { 'application/json': { schema: answer.schema } } } : {}),
        ...(answer.text ? { content: { [answer.text]: { schema: string } } } : {}),
      },
    ]),
  );
  return {
    operationId: id,
    summary: operation.summary,
    ...(operation.parameters ? { parameters: operation.parameters } : {}),
    ...(operation.requestBody ? { requestBody: operation.requestBody } : {}),
    responses,
    ...(operation.public ? { security: [] } : {}),
  };
}

const operationId = (route: string) =>
  route
    .toLowerCase()
    .replace(/[{}]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1)))
    .join('');

export interface OpenApiOptions {
  catalogue: Catalogue;
  version: string;
}

/** The document. Every route of routes.ts is in it (a test holds them together). */
export function openApiDocument({ catalogue, version }: OpenApiOptions): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  const add = (route: string, id: string, operation: Operation) => {
    const [method, path] = route.split(' ') as [string, string];
    (paths[path] ??= {})[method.toLowerCase()] = operationObject(id, operation);
  };
  for (const route of ROUTES) {
    if (route === 'POST /api/tasks/{task}') {
      for (const task of catalogue.tasks()) {
        add(
          `POST /api/tasks/${task.name}`,
          `submit${task.name[0]!.toUpperCase()}${task.name.slice(1)}`,
          submitOperation(task),
        );
      }
    } else {
      const operation = OPERATIONS[route];
      if (!operation) throw new Error(`lib/http/openapi.ts describes no operation for ${route}`);
      add(route, operation.operationId ?? operationId(route), operation);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'spawn-queue',
      version,
      description:
        'Runs command-line tasks from a fixed catalogue through a queue, at most a fixed number at once. ' +
        'Every error is `{ "error": { "code", "message" } }`; a request that fails changes nothing.',
    },
    paths,
    components: {
      schemas: { ...SCHEMAS, ...SCHEDULE_SCHEMAS },
      headers: HEADERS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token' } },
    },
    security: [{ bearer: [] }],
  };
}
