import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { assertJobId } from '../jobs/job-id';
import { FINAL_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import { OUTPUT_CHUNK_BYTES } from '../process/run-process';
import type { OutputChunk, OutputStream } from '../process/run-process';
import { withJobRules } from './job-store-rules';
import type { Claim, JobPage, JobStore, ListQuery } from '../jobs/job-store';
import type { ReplaceEffects, StoreBackend } from './store-backend';
import {
  ALL,
  cancelKey,
  claimKey,
  DAY_S,
  callbackUpdate,
  guarded,
  queryAll,
  itemOfJob,
  idempotencyKeyOf,
  conditionHeld,
  jobKey,
  metaKey,
  outputKey,
  outputPrefix,
} from './dynamodb-items';
import type { Item } from './dynamodb-items';
import { dynamoDbStatistics } from './dynamodb-statistics';
import { dynamoDbCounts, owedAttributes, owedCounts } from './dynamodb-counts';
import { dynamoDbIndexCounts } from './dynamodb-index-counts';
import { dynamoDbKeys } from './dynamodb-keys';

export { fitItemLimit, isStoreOutage, MAX_RECORD_BYTES } from './dynamodb-items';
const checkId = assertJobId;

/**
 * The DynamoDB adapter of the job store: one table (config/job-table.json, the same definition the
 * deployed template and the local stack use), no operation that scans it.
 *
 *   pk                   sk           what
 *   job#<id>             job          the record (a JSON string) + jobStatus, jobList, jobId for the indexes
 *   job#<id>             claim#<n>    who runs (or cancelled) attempt n: put-if-absent, so one wins
 *   job#<id>             cancel       a cancel asked for while the job runs
 *   job#<id>             output#<n>#<stream>#<offset>  a piece of attempt n's output while it runs
 *   keyslot#<scope>      slot#<n>     the attempt holding a key slot (dynamodb-keys.ts)
 *   idempotency#<sha256> key          the job made for an Idempotency-Key: put-if-absent
 *   counts               final        jobs per final status, all-time totals (ADD once per change,
 *                                     dynamodb-counts.ts; `applied|<token>` while a change is counted)
 *   minute#<ms>          stats        finished, busyMs and w_<bucket> / r_<bucket> histogram counts
 *   meta#<name>          meta         small shared values (the peak queue size)
 *
 * Indexes: byStatus (jobStatus, jobId) for a status's pages, the running jobs and the queued and
 * running counts; byCreation (jobList = "all", jobId) for the newest-first list; byKey (jobKey, jobId)
 * for a concurrency key's list (sparse: keyed jobs only); byUncounted (owes = "counts", countToken)
 * for the changes a failure left owing the counters (sparse, keys only: empty but for milliseconds
 * after each finish, or after a failure). Job ids are UUID v7,
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
  const { recordFinished, readCounts, finishedTotals, finishedByMinute } = dynamoDbStatistics(
    client,
    TableName,
  );
  const counts = dynamoDbCounts(client, TableName);

  const jobItem = (record: JobRecord) => itemOfJob(record, retainUntil());

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
    return conditionHeld(
      client.send(new PutCommand({ TableName, Item, ConditionExpression, ExpressionAttributeValues })),
    );
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
    await conditionHeld(
      client.send(
        new DeleteCommand({
          TableName,
          Key: idempotencyKeyOf(hash),
          ConditionExpression: 'jobId = :id',
          ExpressionAttributeValues: { ':id': jobId },
        }),
      ),
    );
  }

  async function replaceJob(
    next: JobRecord,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
    effects: ReplaceEffects = {},
  ): Promise<boolean> {
    checkId(next.id);
    // What the change owes the counters rides on the record's own write (dynamodb-counts.ts).
    const owed = owedCounts(next, effects);
    const item = { ...jobItem(next), ...(owed ? owedAttributes(owed) : {}) };
    // Compare-and-set on the status and the attempts the record had when read (the fence), and on
    // nothing owed: a write must not drop what an earlier change still owes the counters.
    const write = () =>
      putIf(
        item,
        'jobStatus = :from AND (jobAttempts = :attempts OR attribute_not_exists(jobAttempts)) AND attribute_not_exists(countToken)',
        { ':from': expected.status, ':attempts': expected.attempts },
      );
    let written = await write();
    // Refused only because an earlier change still owed the counters: that settled, once more.
    if (!written && (await counts.settledBefore(next.id, expected))) written = await write();
    if (!written) return false;
    // Statistics and clean-up, side by side: a failure here must not undo the change that was made.
    await Promise.all([
      owed && counts.countNow(next.id, owed),
      effects.finish && recordFinished(next, effects.finish).catch(() => undefined),
    ]);
    return true;
  }

  async function replaceCallback(next: JobRecord, expected: JobRecord): Promise<boolean> {
    checkId(next.id);
    // An update of what a callback changes, not a put: the rest of the item (what it owes the
    // counters) stays as it is.
    return conditionHeld(client.send(new UpdateCommand(callbackUpdate(TableName, jobItem(next), expected))));
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

  const queryItems = (input: QueryCommandInput) => queryAll(client, input);

  async function list(query: ListQuery = {}): Promise<JobPage> {
    const limit = query.limit ?? 20;
    if (query.cursor !== undefined) checkId(query.cursor);
    const { status, concurrencyKey: key } = query;
    // A key's jobs: its own partition (byKey), a status among them filtered.
    const partition =
      key !== undefined
        ? { IndexName: 'byKey', name: 'jobKey', value: key }
        : status
          ? { IndexName: 'byStatus', name: 'jobStatus', value: status }
          : { IndexName: 'byCreation', name: 'jobList', value: ALL };
    const statusFilter = key !== undefined && status !== undefined;
    // One more than asked: whether there is a next page. A query answers at most 1 MB, whatever its
    // Limit: large records take several pages, followed by LastEvaluatedKey until the page is full.
    const Items: Item[] = [];
    for await (const item of queryItems({
      TableName,
      IndexName: partition.IndexName,
      KeyConditionExpression: `#p = :p${query.cursor ? ' AND jobId < :cursor' : ''}`,
      ...(statusFilter ? { FilterExpression: 'jobStatus = :s' } : {}),
      ExpressionAttributeNames: { '#p': partition.name },
      ExpressionAttributeValues: {
        ':p': partition.value,
        ...(query.cursor ? { ':cursor': query.cursor } : {}),
        ...(statusFilter ? { ':s': status } : {}),
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

  const {
    countIndex,
    countRetrying,
    countQueuedBefore: queuedBefore,
    queuedByTask,
  } = dynamoDbIndexCounts(client, TableName);
  const { keyLoad, countKeyQueuedBefore, nextOfKey, keySlots, setKeySlot } = dynamoDbKeys(client, TableName);
  const countQueuedBefore = (id: string, key?: string) =>
    key === undefined ? queuedBefore(id) : countKeyQueuedBefore(id, key);

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
    const { owner, kind, claimedAt, leaseUntil, released } = Item as unknown as Claim;
    return { owner, kind, claimedAt, leaseUntil, ...(released ? { released } : {}) };
  }

  async function updateClaim(id: string, attempt: number, patch: Partial<Claim>): Promise<void> {
    checkId(id);
    const fields = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (fields.length === 0) return;
    await conditionHeld(
      client.send(
        new UpdateCommand({
          TableName,
          Key: claimKey(id, attempt),
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
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
    countQueuedBefore,
    queuedByTask,
    keyLoad,
    nextOfKey,
    keySlots,
    setKeySlot,
    claim,
    readClaim,
    updateClaim,
    requestCancel,
    isCancelRequested,
    appendOutput,
    readOutput,
    finishedTotals,
    finishedByMinute,
    settleCounts: () => counts.settleCounts(),
    // DynamoDB tells no one about changes (short of a stream): waiters re-read on their own.
    onFinished: () => () => undefined,
    probe,
    readMeta,
    writeMeta,
    close,
  };
}
