import { concurrencyKeyProblem } from '../jobs/concurrency-keys';
import type { Catalogue } from '../tasks/catalogue';
import { UnknownTaskError } from '../tasks/task-errors';
import { cronProblem, isTimeZone } from './schedule';
import type { Schedule } from './schedule';
import { ScheduleInputError } from './schedule-errors';

/** What a POST may set; a PATCH sets any of them but `task`. */
const FIELDS = ['task', 'input', 'cron', 'timezone', 'overlap', 'catchUp', 'paused', 'concurrencyKey'];
const CHANGEABLE = FIELDS.filter((field) => field !== 'task');

export type ScheduleFields = Pick<
  Schedule,
  'task' | 'input' | 'cron' | 'timezone' | 'overlap' | 'catchUp' | 'paused' | 'concurrencyKey'
>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function refuse(field: string, message: string): never {
  throw new ScheduleInputError(message, field);
}

/**
 * The fields of a POST (all of a schedule's, `task` and `cron` required) or of a PATCH (`current`:
 * the schedule as it is; only what the body names changes), checked as a whole: an unknown field,
 * a cron expression or time zone that cannot be, an input the task's schema refuses (as a submit
 * would), a concurrency key that cannot be.
 */
export function readScheduleFields(
  body: unknown,
  catalogue: Catalogue,
  current?: ScheduleFields,
): ScheduleFields {
  if (!isObject(body))
    refuse('body', 'body must be a JSON object such as { "task": "echo", "cron": "* * * * *" }');
  const allowed = current ? CHANGEABLE : FIELDS;
  const extra = Object.keys(body).find((key) => !allowed.includes(key));
  if (extra) {
    refuse(
      extra,
      `${extra.slice(0, 40)} ${extra === 'task' ? 'cannot change (make a new schedule)' : 'is not a field of a schedule'}`,
    );
  }
  const fields: ScheduleFields = {
    task: current?.task ?? '',
    input: current?.input ?? {},
    cron: current?.cron ?? '',
    timezone: current?.timezone ?? 'UTC',
    overlap: current?.overlap ?? 'skip',
    catchUp: current?.catchUp ?? false,
    paused: current?.paused ?? false,
    ...(current?.concurrencyKey !== undefined ? { concurrencyKey: current.concurrencyKey } : {}),
  };
  if (!current) {
    if (typeof body.task !== 'string' || body.task === '')
      refuse('task', 'task is required: a task of GET /api/tasks');
    fields.task = body.task;
    if (body.cron === undefined) refuse('cron', 'cron is required, such as "*/5 * * * *"');
  }
  if (body.input !== undefined) {
    if (!isObject(body.input)) refuse('input', 'input must be a JSON object');
    fields.input = body.input;
  }
  if (body.cron !== undefined) {
    if (typeof body.cron !== 'string' || body.cron.length > 200) refuse('cron', 'cron must be a string');
    fields.cron = body.cron.trim();
  }
  if (body.timezone !== undefined) {
    if (typeof body.timezone !== 'string' || !isTimeZone(body.timezone)) {
      refuse('timezone', 'timezone must be an IANA time zone, such as "Europe/Paris" or "UTC"');
    }
    fields.timezone = body.timezone;
  }
  if (body.overlap !== undefined) {
    if (body.overlap !== 'skip' && body.overlap !== 'allow')
      refuse('overlap', 'overlap must be "skip" or "allow"');
    fields.overlap = body.overlap;
  }
  for (const flag of ['catchUp', 'paused'] as const) {
    if (body[flag] === undefined) continue;
    if (typeof body[flag] !== 'boolean') refuse(flag, `${flag} must be true or false`);
    fields[flag] = body[flag];
  }
  if (body.concurrencyKey !== undefined) {
    const problem = body.concurrencyKey === null ? undefined : concurrencyKeyProblem(body.concurrencyKey);
    if (problem) refuse('concurrencyKey', problem);
    if (body.concurrencyKey === null) delete fields.concurrencyKey;
    else fields.concurrencyKey = body.concurrencyKey as string;
  }
  const problem = cronProblem(fields.cron, fields.timezone);
  if (problem) refuse('cron', problem);
  if (!catalogue.get(fields.task)) throw new UnknownTaskError(fields.task);
  // Its input as a submit takes it: a schedule never makes a job the catalogue refuses.
  catalogue.prepare(fields.task, fields.input);
  return fields;
}
