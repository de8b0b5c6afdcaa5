import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput, DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { assertJobId } from '../jobs/job-id';
import { FINAL_STATUSES, isFinal } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import { OUTPUT_CHUNK_BYTES } from '../process/run-process';
import type { OutputChunk, OutputStream } from '../process/run-process';
import { emptyMinute, MINUTE_MS, minuteStart, totalsOf } from '../jobs/job-statistics';
import type { FinishedTotals } from '../jobs/job-statistics';
import { withJobRules } from './job-store-rules';
import type { Claim, FinishedMinute, JobPage, JobStore, ListQuery } from '../jobs/job-store';
import type { FinishEffects, ReplaceEffects, StoreBackend } from './store-backend';
import { StoreUnavailableError } from './store-errors';

/**
 * The DynamoDB adapter of the job store: one table (config/job-table.json, the same definition the
 * deployed template and the local stack use), no operation that scans it.
 *
 *   pk                   sk           what
 *   job#<id>             job          the record (a JSON string) + jobStatus, jobList, jobId for the indexes
 *   job#<id>             claim#<n>    who runs (or cancelled) attempt n: put-if-absent, so one wins
 *   job#<id>             cancel       a cancel asked for while the job runs
 *   job#<id>             output#<n>#<stream>#<offset>  a piece of attempt n's output while it runs
 *   idempotency#<sha256> key          the job made for an Idempotency-Key: put-if-absent
 *   counts               final        jobs per final status (ADD on every finish)
 *   minute#<ms>          stats        finished, busyMs and w_<bucket> / r_<bucket> histogram counts
 *   meta#<name>          meta         small shared values (the peak queue size)
 *
 * Indexes: byStatus (jobStatus, jobId) for a status's pages, the running jobs and the queued and
 * running counts; byCreation (jobList = "all", jobId) for the newest-first list. Job ids are UUID v7,
 * so the sort key orders by creation. Finished jobs, their claims and keys expire `retentionDays`
 * after they end (TTL on expiresAt); minute statistics and output pieces after a day or two (the
 * finished record keeps the whole output).
 */
export interface DynamoDbJobStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  retentionDays?: number;
  /** Destroys the client on close (when the store made it). */
  ownsClient?: boolean;
}

const ALL = 'all';
const DAY_S = 86_400;

type Item = Record<string, unknown>;

const checkId = assertJobId;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

const jobKey = (id: string) => ({ pk: `job#${id}`, sk: 'job' });
const claimKey = (id: string, attempt: number) => ({ pk: `job#${id}`, sk: `claim#${attempt}` });
const cancelKey = (id: string) => ({ pk: `job#${id}`, sk: 'cancel' });
const idempotencyKeyOf = (hash: string) => ({ pk: `idempotency#${hash}`, sk: 'key' });
/** Offsets padded so that the sort key orders pieces by where they start. */
const outputPrefix = (attempt: number, stream: OutputStream) =>
  `output#${String(attempt).padStart(4, '0')}#${stream}#`;
const outputKey = (id: string, attempt: number, stream: OutputStream, offset: number) => ({
  pk: `job#${id}`,
  sk: `${outputPrefix(attempt, stream)}${String(offset).padStart(12, '0')}`,
});
const countsKey = { pk: 'counts', sk: 'final' };
const minuteKey = (minuteMs: number) => ({ pk: `minute#${minuteMs}`, sk: 'stats' });
const metaKey = (name: string) => ({ pk: `meta#${name}`, sk: 'meta' });

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
function guarded(client: DynamoDBDocumentClient): Pick<DynamoDBDocumentClient, 'send' | 'destroy'> {
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

export function createDynamoDbJobStore(options: DynamoDbJobStoreOptions): JobStore {
  return withJobRules(dynamoDbBackend(options));
}

/** The DynamoDB backend under the job store's rules (job-store-rules.ts). */
function dynamoDbBackend({
  client: rawClient,
  tableName,
  retentionDays = 30,
  ownsClient = false,
}: DynamoDbJobStoreOptions): StoreBackend {
  const client = guarded(rawClient);
  const TableName = tableName;
  const retainUntil = (fromMs = Date.now()) => Math.floor(fromMs / 1000) + retentionDays * DAY_S;

  function jobItem(record: JobRecord): Item {
    record = fitItemLimit(record);
    return {
      ...jobKey(record.id),
      jobId: record.id,
      jobStatus: record.status,
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
      ...(isFinal(record.status) ? { expiresAt: retainUntil() } : {}),
    };
  }

  const recordOf = (item: Item | undefined): JobRecord | undefined =>
    item ? (JSON.parse(item.record as string) as JobRecord) : undefined;

  async function get(id: string): Promise<JobRecord | undefined> {
    checkId(id);
    const { Item } = await client.send(new GetCommand({ TableName, Key: jobKey(id), ConsistentRead: true }));
    return recordOf(Item);
  }

  /**
   * A conditional put, by default create-if-absent: false when the condition does not hold (another
   * caller got there first), so the atomic steps of the port are one call each.
   */
  async function putIf(
    Item: Item,
    ConditionExpression = 'attribute_not_exists(pk)',
    ExpressionAttributeValues?: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await client.send(new PutCommand({ TableName, Item, ConditionExpression, ExpressionAttributeValues }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async function insertJob(record: JobRecord): Promise<boolean> {
    checkId(record.id);
    return putIf(jobItem(record));
  }

  async function readKey(hash: string): Promise<string | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName, Key: idempotencyKeyOf(hash), ConsistentRead: true }),
    );
    return Item ? String(Item.jobId) : undefined;
  }

  const keyItem = (hash: string, jobId: string) => ({
    ...idempotencyKeyOf(hash),
    jobId,
    expiresAt: retainUntil(),
  });

  async function insertKey(hash: string, jobId: string): Promise<boolean> {
    return putIf(keyItem(hash, jobId));
  }

  async function replaceKey(hash: string, fromJobId: string, toJobId: string): Promise<boolean> {
    return putIf(keyItem(hash, toJobId), 'attribute_not_exists(pk) OR jobId = :previous', {
      ':previous': fromJobId,
    });
  }

  async function deleteKey(hash: string, jobId: string): Promise<void> {
    try {
      await client.send(
        new DeleteCommand({
          TableName,
          Key: idempotencyKeyOf(hash),
          ConditionExpression: 'jobId = :id',
          ExpressionAttributeValues: { ':id': jobId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function recordFinished(record: JobRecord, { shares, totals }: FinishEffects): Promise<void> {
    const own = shares.minuteMs;
    const busy = new Map(shares.busy);
    const minutes = new Set([own, ...busy.keys()]);
    const expiresAt = Math.floor(shares.finishedAtMs / 1000) + DAY_S;
    const updates = [...minutes].map((minuteMs) => {
      const add: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':expiresAt': expiresAt };
      if (minuteMs === own) {
        values[':one'] = 1;
        add.push('finished :one');
        if (shares.waitBucket !== undefined) {
          names['#w'] = `w_${shares.waitBucket}`;
          add.push('#w :one');
        }
        if (shares.runBucket !== undefined) {
          names['#r'] = `r_${shares.runBucket}`;
          add.push('#r :one');
        }
      }
      const busyMs = busy.get(minuteMs);
      if (busyMs) {
        values[':busy'] = busyMs;
        add.push('busyMs :busy');
      }
      return client.send(
        new UpdateCommand({
          TableName,
          Key: minuteKey(minuteMs),
          UpdateExpression: `SET expiresAt = :expiresAt ADD ${add.join(', ')}`,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
    });
    updates.push(
      client.send(
        new UpdateCommand({
          TableName,
          Key: countsKey,
          // The final count and the all-time totals, in the one item: one update per finish.
          UpdateExpression: `ADD #status :one, ${totals.map((_, i) => `#t${i} :t${i}`).join(', ')}`,
          ExpressionAttributeNames: {
            '#status': record.status,
            ...Object.fromEntries(totals.map(([name], i) => [`#t${i}`, `total|${name}`])),
          },
          ExpressionAttributeValues: {
            ':one': 1,
            ...Object.fromEntries(totals.map(([, add], i) => [`:t${i}`, add])),
          },
        }),
      ),
      client.send(new DeleteCommand({ TableName, Key: cancelKey(record.id) })),
    );
    await Promise.all(updates);
  }

  async function replaceJob(
    next: JobRecord,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
    effects: ReplaceEffects = {},
  ): Promise<boolean> {
    checkId(next.id);
    // Compare-and-set on the status and the attempts the record had when read (the fence).
    const written = await putIf(
      jobItem(next),
      'jobStatus = :from AND (jobAttempts = :attempts OR attribute_not_exists(jobAttempts))',
      { ':from': expected.status, ':attempts': expected.attempts },
    );
    if (!written) return false;
    // Statistics and clean-up: a failure here must not undo the change that was made.
    if (effects.finish) await recordFinished(next, effects.finish).catch(() => undefined);
    if (effects.reopened) await uncount(effects.reopened).catch(() => undefined);
    return true;
  }

  async function replaceCallback(next: JobRecord, expected: JobRecord): Promise<boolean> {
    checkId(next.id);
    // An item written before callbackState existed has none: only its status and attempts fence it.
    const callbackCondition = expected.callback
      ? '(callbackState = :callback OR attribute_not_exists(callbackState))'
      : 'attribute_not_exists(callbackState)';
    return putIf(jobItem(next), `jobStatus = :from AND jobAttempts = :attempts AND ${callbackCondition}`, {
      ':from': expected.status,
      ':attempts': expected.attempts,
      ...(expected.callback ? { ':callback': JSON.stringify(expected.callback) } : {}),
    });
  }

  async function deleteJob(id: string): Promise<void> {
    checkId(id);
    // Its output pieces, if any, expire on their own.
    await client.send(new DeleteCommand({ TableName, Key: jobKey(id) }));
  }

  /**
   * Reads each final status's partition of the byStatus index, keeping the items marked pending: a
   * pass over the final jobs, paid only where a queue lost its messages (the local stack's restart;
   * SQS keeps them, so a deployed stack never calls it).
   */
  async function* pendingCallbacks(): AsyncIterable<JobRecord> {
    for (const status of FINAL_STATUSES) {
      const items = queryItems({
        TableName,
        IndexName: 'byStatus',
        KeyConditionExpression: 'jobStatus = :s',
        FilterExpression: 'callbackPending = :yes',
        ExpressionAttributeValues: { ':s': status, ':yes': true },
      });
      for await (const item of items) yield recordOf(item)!;
    }
  }

  /** Every item a query matches, page after page (DynamoDB answers at most 1 MB per call). */
  async function* queryItems(input: QueryCommandInput): AsyncIterable<Item> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      yield* page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async function list(query: ListQuery = {}): Promise<JobPage> {
    const limit = query.limit ?? 20;
    if (query.cursor !== undefined) checkId(query.cursor);
    const partition = query.status
      ? { IndexName: 'byStatus', name: 'jobStatus', value: query.status }
      : { IndexName: 'byCreation', name: 'jobList', value: ALL };
    // One more than asked: whether there is a next page. A query answers at most 1 MB, whatever its
    // Limit: large records take several pages, followed by LastEvaluatedKey until the page is full.
    const Items: Item[] = [];
    for await (const item of queryItems({
      TableName,
      IndexName: partition.IndexName,
      KeyConditionExpression: `#p = :p${query.cursor ? ' AND jobId < :cursor' : ''}`,
      ExpressionAttributeNames: { '#p': partition.name },
      ExpressionAttributeValues: {
        ':p': partition.value,
        ...(query.cursor ? { ':cursor': query.cursor } : {}),
      },
      ScanIndexForward: false,
      Limit: limit + 1,
    })) {
      Items.push(item);
      if (Items.length > limit) break;
    }
    const jobs = Items.slice(0, limit).map((item) => recordOf(item)!);
    const last = jobs.at(-1);
    return Items.length > limit && last ? { jobs, nextCursor: last.id } : { jobs };
  }

  /** Index entries of one status, counted by DynamoDB (keys only, page by page). */
  async function uncount(status: JobStatus): Promise<void> {
    await client.send(
      new UpdateCommand({
        TableName,
        Key: countsKey,
        UpdateExpression: 'ADD #status :minus',
        ExpressionAttributeNames: { '#status': status },
        ExpressionAttributeValues: { ':minus': -1 },
      }),
    );
  }

  /** Queued jobs are bounded (MAX_QUEUED_JOBS): their index is read, with the ones that wait counted. */
  const countRetrying = () => countIndex('queued', 'attribute_exists(retryAt)');

  async function countIndex(status: JobStatus, filter?: string): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName,
          IndexName: 'byStatus',
          KeyConditionExpression: 'jobStatus = :s',
          ...(filter ? { FilterExpression: filter } : {}),
          ExpressionAttributeValues: { ':s': status },
          Select: 'COUNT',
          ExclusiveStartKey,
        }),
      );
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }

  /**
   * The item of counters (the final statuses' counts and the all-time totals). Reads that overlap
   * share one GetItem: GET /api/metrics asks for both at once.
   */
  let countsRead: Promise<Item | undefined> | undefined;
  function readCounts(): Promise<Item | undefined> {
    countsRead ??= client
      .send(new GetCommand({ TableName, Key: countsKey, ConsistentRead: true }))
      .then((out) => out.Item)
      .finally(() => (countsRead = undefined));
    return countsRead;
  }

  /**
   * Scheduled, queued and running are bounded (by MAX_QUEUED_JOBS and the slots): counted from the
   * index, exact.
   * Final statuses grow without bound: a counter item, added to on every finish.
   */
  async function countByStatus(): Promise<Record<JobStatus, number>> {
    const [scheduled, queued, running, counts] = await Promise.all([
      countIndex('scheduled'),
      countIndex('queued'),
      countIndex('running'),
      readCounts(),
    ]);
    const final = Object.fromEntries(FINAL_STATUSES.map((status) => [status, Number(counts?.[status] ?? 0)]));
    return { scheduled, queued, running, ...final } as Record<JobStatus, number>;
  }

  async function claim(id: string, attempt: number, value: Claim): Promise<boolean> {
    checkId(id);
    return putIf({ ...claimKey(id, attempt), ...value, expiresAt: retainUntil() + DAY_S });
  }

  async function readClaim(id: string, attempt: number): Promise<Claim | undefined> {
    checkId(id);
    const { Item } = await client.send(
      new GetCommand({ TableName, Key: claimKey(id, attempt), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { owner, kind, claimedAt, leaseUntil } = Item as unknown as Claim;
    return { owner, kind, claimedAt, leaseUntil };
  }

  async function updateClaim(id: string, attempt: number, patch: Partial<Claim>): Promise<void> {
    checkId(id);
    const fields = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return;
    try {
      await client.send(
        new UpdateCommand({
          TableName,
          Key: claimKey(id, attempt),
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function requestCancel(id: string, attempt: number): Promise<void> {
    checkId(id);
    await client.send(
      new PutCommand({
        TableName,
        Item: { ...cancelKey(id), attempt, requestedAt: new Date().toISOString(), expiresAt: retainUntil() },
      }),
    );
  }

  /** The request of this attempt (one without an attempt, from an older version, stops any). */
  async function isCancelRequested(id: string, attempt: number): Promise<boolean> {
    checkId(id);
    const { Item } = await client.send(
      new GetCommand({ TableName, Key: cancelKey(id), ConsistentRead: true }),
    );
    return Item !== undefined && (Item.attempt === undefined || Number(Item.attempt) === attempt);
  }

  async function appendOutput(id: string, attempt: number, chunk: OutputChunk): Promise<void> {
    checkId(id);
    await client.send(
      new PutCommand({
        TableName,
        Item: {
          ...outputKey(id, attempt, chunk.stream, chunk.offset),
          data: chunk.data,
          expiresAt: Math.floor(Date.now() / 1000) + 2 * DAY_S,
        },
      }),
    );
  }

  async function readOutput(
    id: string,
    attempt: number,
    stream: OutputStream,
    fromOffset: number,
  ): Promise<OutputChunk[]> {
    checkId(id);
    // No piece is longer than OUTPUT_CHUNK_BYTES: one that ends past fromOffset starts after this.
    const low = outputKey(id, attempt, stream, Math.max(0, fromOffset - OUTPUT_CHUNK_BYTES + 1));
    const chunks: OutputChunk[] = [];
    const items = queryItems({
      TableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: {
        ':pk': low.pk,
        ':low': low.sk,
        ':high': `${outputPrefix(attempt, stream)}~`,
      },
      ConsistentRead: true,
    });
    for await (const item of items) {
      const offset = Number(String(item.sk).slice(outputPrefix(attempt, stream).length));
      const data = String(item.data);
      if (offset + Buffer.byteLength(data) > fromOffset) chunks.push({ stream, offset, data });
    }
    return chunks;
  }

  async function finishedTotals(): Promise<FinishedTotals> {
    const item = await readCounts();
    return totalsOf(
      Object.entries(item ?? {})
        .filter(([name]) => name.startsWith('total|'))
        .map(([name, value]) => [name.slice('total|'.length), Number(value)]),
    );
  }

  function minuteOf(minuteMs: number, item: Item | undefined): FinishedMinute {
    const minute = emptyMinute(minuteMs);
    for (const [name, value] of Object.entries(item ?? {})) {
      if (name === 'finished') minute.finished = Number(value);
      else if (name === 'busyMs') minute.busyMs = Number(value);
      else if (name.startsWith('w_')) minute.waitMs[name.slice(2)] = Number(value);
      else if (name.startsWith('r_')) minute.runMs[name.slice(2)] = Number(value);
    }
    return minute;
  }

  async function finishedByMinute(fromMs: number, toMs = Date.now()): Promise<FinishedMinute[]> {
    const wanted: number[] = [];
    for (let t = minuteStart(fromMs); t <= toMs; t += MINUTE_MS) wanted.push(t);
    const found = new Map<string, Item>();
    // BatchGetItem takes 100 keys; a window is 16 minutes.
    for (let i = 0; i < wanted.length; i += 100) {
      let keys: Item[] | undefined = wanted.slice(i, i + 100).map(minuteKey);
      for (let round = 0; keys && keys.length > 0 && round < 5; round += 1) {
        const result: BatchGetCommandOutput = await client.send(
          new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[TableName] ?? []) found.set(item.pk as string, item);
        keys = result.UnprocessedKeys?.[TableName]?.Keys;
      }
    }
    return wanted
      .filter((minuteMs) => found.has(minuteKey(minuteMs).pk))
      .map((minuteMs) => minuteOf(minuteMs, found.get(minuteKey(minuteMs).pk)));
  }

  /** A consistent read of one small item: the table exists and answers (health). */
  async function probe(): Promise<void> {
    await client.send(new GetCommand({ TableName, Key: metaKey('probe'), ConsistentRead: true }));
  }

  async function readMeta<T>(name: string): Promise<T | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName, Key: metaKey(name), ConsistentRead: true }),
    );
    return Item ? (JSON.parse(Item.value as string) as T) : undefined;
  }

  async function writeMeta(name: string, value: unknown): Promise<void> {
    await client.send(
      new PutCommand({ TableName, Item: { ...metaKey(name), value: JSON.stringify(value) } }),
    );
  }

  async function close(): Promise<void> {
    if (ownsClient) client.destroy();
  }

  return {
    insertJob,
    get,
    replaceJob,
    replaceCallback,
    deleteJob,
    readKey,
    insertKey,
    replaceKey,
    deleteKey,
    list,
    countByStatus,
    // A finished job expires by TTL (expiresAt, JOB_RETENTION_DAYS), its claims, key, output pieces
    // and cancel request with it: nothing to remove here.
    pruneFinished: async () => 0,
    pendingCallbacks,
    countRetrying,
    claim,
    readClaim,
    updateClaim,
    requestCancel,
    isCancelRequested,
    appendOutput,
    readOutput,
    finishedTotals,
    finishedByMinute,
    // DynamoDB tells no one about changes (short of a stream): waiters re-read on their own.
    onFinished: () => () => undefined,
    probe,
    readMeta,
    writeMeta,
    close,
  };
}
