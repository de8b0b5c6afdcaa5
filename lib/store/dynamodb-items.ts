import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { isFinal } from '../jobs/job-record';
import type { JobRecord } from '../jobs/job-record';
import type { OutputStream } from '../process/run-process';
import { StoreUnavailableError } from './store-errors';

/** The DynamoDB adapter's items (their keys, their size), and what a failed call means. */

export const ALL = 'all';
export const DAY_S = 86_400;

export type Item = Record<string, unknown>;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

/**
 * Whether a conditional write was made: false when its condition did not hold (another writer got
 * there first), so each atomic step of a store is one call and one answer.
 */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export const jobKey = (id: string) => ({ pk: `job#${id}`, sk: 'job' });
export const claimKey = (id: string, attempt: number) => ({ pk: `job#${id}`, sk: `claim#${attempt}` });
export const cancelKey = (id: string) => ({ pk: `job#${id}`, sk: 'cancel' });
export const idempotencyKeyOf = (hash: string) => ({ pk: `idempotency#${hash}`, sk: 'key' });
/** Offsets padded so that the sort key orders pieces by where they start. */
export const outputPrefix = (attempt: number, stream: OutputStream) =>
  `output#${String(attempt).padStart(4, '0')}#${stream}#`;
export const outputKey = (id: string, attempt: number, stream: OutputStream, offset: number) => ({
  pk: `job#${id}`,
  sk: `${outputPrefix(attempt, stream)}${String(offset).padStart(12, '0')}`,
});
export const countsKey = { pk: 'counts', sk: 'final' };
export const keySlotKey = (scope: string, index: number) => ({ pk: `keyslot#${scope}`, sk: `slot#${index}` });
export const minuteKey = (minuteMs: number) => ({ pk: `minute#${minuteMs}`, sk: 'stats' });
export const metaKey = (name: string) => ({ pk: `meta#${name}`, sk: 'meta' });

/**
 * DynamoDB items end at 400 KB. The catalogue's output caps keep records far below that; output that
 * JSON escaping blows up past MAX_RECORD_BYTES anyway is cut (its end dropped, `truncated` set), so a
 * finish is always stored.
 */
export const MAX_RECORD_BYTES = 350_000;

export function fitItemLimit(record: JobRecord): JobRecord {
  let size = Buffer.byteLength(JSON.stringify(record));
  if (size <= MAX_RECORD_BYTES || !record.output) return record;
  const output = { ...record.output, truncated: true };
  while (size > MAX_RECORD_BYTES && (output.stdout.length > 0 || output.stderr.length > 0)) {
    const keep = Math.max(0, MAX_RECORD_BYTES / size - 0.05);
    output.stdout = output.stdout.slice(0, Math.floor(output.stdout.length * keep));
    output.stderr = output.stderr.slice(0, Math.floor(output.stderr.length * keep));
    size = Buffer.byteLength(JSON.stringify({ ...record, output }));
  }
  return { ...record, output };
}

/**
 * A failure of DynamoDB itself (not of the request): no answer (refused, reset, timed out),
 * throttling, or a 5xx. Those make the store unavailable; a 4xx such as a failed condition is the
 * request's own and is left as it is.
 */
export function isStoreOutage(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined)
    return status >= 500 || /Throttl|ProvisionedThroughputExceeded/.test(e.name ?? '');
  const network = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/;
  return (
    /^(TimeoutError|AbortError|RequestTimeout)/.test(e.name ?? '') ||
    network.test(e.code ?? '') ||
    // The SDK wraps what it cannot recognise as an Error (one from another realm) and keeps only
    // the message: "AWS SDK error wrapper for Error: connect ECONNREFUSED ...".
    /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up)\b/.test(
      (error as Error).message ?? '',
    )
  );
}

/** The client, with an outage turned into the store's own StoreUnavailableError (a 503 with Retry-After). */
export function guarded(client: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, 'send' | 'destroy'> {
  return {
    send: (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      try {
        return await client.send(command as never);
      } catch (error) {
        if (isStoreOutage(error)) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new StoreUnavailableError(`DynamoDB did not answer: ${reason}`, { cause: error });
        }
        throw error;
      }
    }) as DynamoDBDocumentClient['send'],
    destroy: () => client.destroy(),
  };
}

/**
 * A job's item: the record (a JSON string) and, beside it, what the indexes and the conditions read.
 * `expiresAt` (TTL) is set on a final job only.
 */
export function itemOfJob(record: JobRecord, expiresAt: number): Item {
  record = fitItemLimit(record);
  return {
    ...jobKey(record.id),
    jobId: record.id,
    jobStatus: record.status,
    // Beside the record, so the queue's mix by task is read without the records (queuedByTask).
    jobTask: record.task,
    // Only on a job with a concurrency key: the byKey index (its list) and the load by key.
    ...(record.concurrencyKey !== undefined ? { jobKey: record.concurrencyKey } : {}),
    // Beside the status, so a transition's condition can fence the attempt that owns the job.
    jobAttempts: record.attempts,
    // Only while a queued job waits for a retry: what countRetrying counts.
    ...(record.status === 'queued' && record.nextAttemptAt ? { retryAt: record.nextAttemptAt } : {}),
    jobList: ALL,
    record: JSON.stringify(record),
    // Beside the record, so a callback's change can be a compare-and-set on the callback as read.
    ...(record.callback ? { callbackState: JSON.stringify(record.callback) } : {}),
    // Only on a final job whose callback is still to be delivered: what pendingCallbacks finds.
    ...(isFinal(record.status) && record.callback?.status === 'pending' ? { callbackPending: true } : {}),
    ...(isFinal(record.status) ? { expiresAt } : {}),
  };
}

/**
 * The update of a completion callback's change, a compare-and-set on the callback as read (an item
 * written before callbackState existed has none: only its status and attempts fence it). An update,
 * not a put, so the rest of the item stays as it is.
 */
export function callbackUpdate(TableName: string, item: Item, expected: JobRecord): UpdateCommandInput {
  const callbackCondition = expected.callback
    ? '(callbackState = :callback OR attribute_not_exists(callbackState))'
    : 'attribute_not_exists(callbackState)';
  const pending = item.callbackPending;
  return {
    TableName,
    Key: { pk: item.pk, sk: item.sk },
    UpdateExpression: `SET #record = :record, callbackState = :state${
      pending ? ', callbackPending = :pending' : ' REMOVE callbackPending'
    }`,
    ConditionExpression: `jobStatus = :from AND jobAttempts = :attempts AND ${callbackCondition}`,
    ExpressionAttributeNames: { '#record': 'record' },
    ExpressionAttributeValues: {
      ':record': item.record,
      ':state': item.callbackState,
      ...(pending ? { ':pending': pending } : {}),
      ':from': expected.status,
      ':attempts': expected.attempts,
      ...(expected.callback ? { ':callback': JSON.stringify(expected.callback) } : {}),
    },
  };
}

/** Every item a query matches, page after page (DynamoDB answers at most 1 MB per call). */
export async function* queryAll(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: QueryCommandInput,
): AsyncIterable<Item> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield* page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** How many items a query matches, page after page (a count reads what it counts, 1 MB a call). */
export async function countAll(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: Omit<QueryCommandInput, 'Select' | 'ExclusiveStartKey'>,
): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey }));
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}
