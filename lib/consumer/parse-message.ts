import type { SQSRecord } from 'aws-lambda';
import { isJobId, jobIdForMessage } from '../jobs/job-id';
import { concurrencyKeyProblem } from '../jobs/concurrency-keys';

/** A message body read against the contract `{ task, input, jobId?, concurrencyKey? }`. */
export type ParsedMessage =
  | {
      kind: 'job';
      jobId: string;
      fromSubmit: boolean;
      task: string;
      input: Record<string, unknown>;
      concurrencyKey?: string;
    }
  | { kind: 'invalid'; jobId: string; task: string; input: Record<string, unknown>; reason: string }
  | { kind: 'unreadable'; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseMessage(record: Pick<SQSRecord, 'body' | 'messageId' | 'attributes'>): ParsedMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { kind: 'unreadable', reason: 'message body is not JSON' };
  }
  const sentAt = Number(record.attributes?.SentTimestamp) || Date.now();
  const derivedId = jobIdForMessage(record.messageId, sentAt);
  if (!isPlainObject(body)) {
    return {
      kind: 'invalid',
      jobId: derivedId,
      task: '',
      input: {},
      reason: 'message body must be a JSON object',
    };
  }
  const task = typeof body.task === 'string' ? body.task.slice(0, 100) : '';
  const input = isPlainObject(body.input) ? body.input : {};
  const fail = (reason: string): ParsedMessage => ({
    kind: 'invalid',
    jobId: derivedId,
    task,
    input,
    reason,
  });
  if (typeof body.task !== 'string' || body.task === '') return fail('message field "task" must be a string');
  if (!isPlainObject(body.input)) return fail('message field "input" must be an object');
  const keyProblem =
    body.concurrencyKey === undefined ? undefined : concurrencyKeyProblem(body.concurrencyKey);
  if (keyProblem) return fail(`message field ${keyProblem}`);
  const key = body.concurrencyKey === undefined ? {} : { concurrencyKey: body.concurrencyKey as string };
  if (body.jobId !== undefined) {
    if (!isJobId(body.jobId)) return fail('message field "jobId" must be a job id made by this service');
    return { kind: 'job', jobId: body.jobId, fromSubmit: true, task, input, ...key };
  }
  return { kind: 'job', jobId: derivedId, fromSubmit: false, task, input, ...key };
}
