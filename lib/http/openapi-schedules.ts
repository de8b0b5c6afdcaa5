import {
  CONCURRENCY_KEY,
  errorAnswer,
  integer,
  nullable,
  object,
  ref,
  string,
  time,
} from './openapi-schemas';
import type { Operation, Schema } from './openapi-schemas';

/** The schedule routes' part of the OpenAPI document (lib/schedules; openapi.ts puts it in). */

const SCHEDULE_ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** What a POST may set; a PATCH all of them but `task`. */
const FIELDS: Record<string, Schema> = {
  task: { ...string, description: 'a task of GET /api/tasks' },
  input: {
    type: 'object',
    additionalProperties: true,
    description: 'the input of each job, as the task’s schema takes it',
  },
  cron: {
    ...string,
    description: 'five fields: minute hour day-of-month month day-of-week, such as "*/5 * * * *"',
    examples: ['*/5 * * * *'],
  },
  timezone: { ...string, description: 'the IANA time zone the cron is read in', default: 'UTC' },
  overlap: {
    enum: ['skip', 'allow'],
    default: 'skip',
    description: '`skip`: no job for a fire time whose previous run has not finished',
  },
  catchUp: {
    type: 'boolean',
    default: false,
    description:
      'run the fire times missed while the stack was down (otherwise they are counted in `missed`)',
  },
  paused: { type: 'boolean', default: false, description: 'a paused schedule fires nothing' },
  concurrencyKey: { ...CONCURRENCY_KEY, description: 'the concurrency key of its jobs' },
};
const CHANGEABLE: Record<string, Schema> = {
  ...Object.fromEntries(Object.entries(FIELDS).filter(([name]) => name !== 'task')),
  concurrencyKey: {
    ...nullable(CONCURRENCY_KEY),
    description: 'the concurrency key of its jobs; null: none',
  },
};

export const SCHEDULE_SCHEMAS: Record<string, Schema> = {
  Schedule: object({
    id: { type: 'string', format: 'uuid' },
    task: string,
    input: { type: 'object', additionalProperties: true },
    cron: string,
    timezone: string,
    overlap: { enum: ['skip', 'allow'] },
    catchUp: { type: 'boolean' },
    paused: { type: 'boolean' },
    concurrencyKey: nullable(string),
    nextRunAt: { ...nullable(time), description: 'its next fire time; null while paused' },
    lastRunAt: { ...nullable(time), description: 'the last fire time that made a job' },
    lastJobId: { ...nullable({ type: 'string', format: 'uuid' }), description: 'that job' },
    runs: { ...integer, description: 'jobs made' },
    skipped: { ...integer, description: 'fire times skipped: the previous run had not finished' },
    missed: { ...integer, description: 'fire times missed while nothing fired, not caught up' },
    createdAt: time,
    updatedAt: time,
    links: object({ self: string }),
  }),
  SchedulePage: object({
    schedules: { type: 'array', items: ref('Schedule') },
    nextCursor: nullable(string),
    links: object({ next: nullable(string) }),
  }),
};

const body = (properties: Record<string, Schema>, required: string[], example: unknown): Schema => ({
  required: true,
  content: {
    'application/json': {
      schema: { type: 'object', properties, required, additionalProperties: false },
      example,
    },
  },
});

export const SCHEDULE_OPERATIONS: Record<string, Operation> = {
  'POST /api/schedules': {
    summary: 'Make a schedule: a job of the task at each fire time of the cron expression',
    requestBody: body(FIELDS, ['task', 'cron'], {
      task: 'echo',
      input: { text: 'tick' },
      cron: '*/5 * * * *',
    }),
    answers: {
      '201': { description: 'made, with its next fire time', schema: ref('Schedule'), headers: ['Location'] },
      '400': errorAnswer(
        'a field that cannot be (`invalid_schedule`), input the task refuses (`invalid_input`)',
      ),
      '404': errorAnswer('no such task (`unknown_task`)'),
      '409': errorAnswer('the most schedules this service keeps exist already (`schedules_full`)'),
      '413': errorAnswer('a body over the limit (`body_too_large`)'),
      '415': errorAnswer('a content type other than application/json'),
    },
  },
  'GET /api/schedules': {
    summary: 'Schedules, oldest first, one page at a time',
    parameters: [
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      { name: 'cursor', in: 'query', description: 'the `nextCursor` of the page before', schema: string },
    ],
    answers: {
      '200': { description: 'a page', schema: ref('SchedulePage') },
      '400': errorAnswer('a query parameter out of range or empty (`invalid_query`)'),
    },
  },
  'GET /api/schedules/{id}': {
    summary: 'A schedule: its next fire time, its last run, what it skipped and missed',
    parameters: [SCHEDULE_ID],
    answers: {
      '200': { description: 'the schedule', schema: ref('Schedule') },
      '400': errorAnswer('a malformed schedule id (`invalid_schedule_id`)'),
      '404': errorAnswer('no such schedule (`schedule_not_found`)'),
    },
  },
  'PATCH /api/schedules/{id}': {
    summary: 'Change a schedule (pause or resume it); its next fire time is computed again from now',
    parameters: [SCHEDULE_ID],
    requestBody: body(CHANGEABLE, [], { paused: true }),
    answers: {
      '200': { description: 'changed', schema: ref('Schedule') },
      '400': errorAnswer('a malformed id or a field that cannot be (`invalid_schedule`, `invalid_input`)'),
      '404': errorAnswer('no such schedule (`schedule_not_found`)'),
      '413': errorAnswer('a body over the limit (`body_too_large`)'),
      '415': errorAnswer('a content type other than application/json'),
    },
  },
  'DELETE /api/schedules/{id}': {
    summary: 'Delete a schedule; the jobs it made stay',
    parameters: [SCHEDULE_ID],
    answers: {
      '204': { description: 'deleted' },
      '400': errorAnswer('a malformed schedule id (`invalid_schedule_id`)'),
      '404': errorAnswer('no such schedule (`schedule_not_found`)'),
    },
  },
};
