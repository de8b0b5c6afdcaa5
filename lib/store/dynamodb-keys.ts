import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertJobId } from '../jobs/job-id';
import type { KeyLoad, SlotHolder } from '../jobs/concurrency-keys';
import type { JobRecord } from '../jobs/job-record';
import { conditionHeld, countAll, keySlotKey, queryAll } from './dynamodb-items';

/**
 * What the DynamoDB adapter keeps of concurrency keys: the live jobs by key (the byStatus index's
 * queued and running partitions, bounded by MAX_QUEUED_JOBS and the slots, their key and task only),
 * a key's queued jobs ahead of one, and the key slots:
 *
 *   pk                   sk           what
 *   keyslot#<scope>      slot#<n>     the attempt holding slot n (holderJob, holderAttempt)
 */
export function dynamoDbKeys(client: Pick<DynamoDBDocumentClient, 'send'>, TableName: string) {
  async function keyLoad(): Promise<KeyLoad[]> {
    const now = new Date().toISOString();
    const rows = new Map<string, KeyLoad>();
    for (const status of ['queued', 'running'] as const) {
      const items = queryAll(client, {
        TableName,
        IndexName: 'byStatus',
        KeyConditionExpression: 'jobStatus = :s',
        ExpressionAttributeValues: { ':s': status },
        ProjectionExpression: 'jobKey, jobTask, retryAt',
      });
      for await (const item of items) {
        if (typeof item.jobTask !== 'string') continue;
        const key = typeof item.jobKey === 'string' ? item.jobKey : null;
        const id = JSON.stringify([key, item.jobTask]);
        const row = rows.get(id) ?? { key, task: item.jobTask, running: 0, waiting: 0 };
        if (status === 'running') row.running += 1;
        else if (typeof item.retryAt !== 'string' || item.retryAt <= now) row.waiting += 1;
        rows.set(id, row);
      }
    }
    return [...rows.values()];
  }

  /** A key's queued jobs before job `id`: the queued partition, its key's items counted. */
  function countKeyQueuedBefore(id: string, key: string): Promise<number> {
    assertJobId(id);
    return countAll(client, {
      TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: 'jobStatus = :s AND jobId < :id',
      FilterExpression: 'jobKey = :k',
      ExpressionAttributeValues: { ':s': 'queued', ':id': id, ':k': key },
    });
  }

  /** The queued partition from its oldest job on, until the first of the task and key that is due. */
  async function nextOfKey(task: string, key: string): Promise<JobRecord | undefined> {
    const items = queryAll(client, {
      TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: 'jobStatus = :s',
      FilterExpression: 'jobKey = :k AND jobTask = :t AND (attribute_not_exists(retryAt) OR retryAt <= :now)',
      ExpressionAttributeValues: { ':s': 'queued', ':k': key, ':t': task, ':now': new Date().toISOString() },
      ScanIndexForward: true,
    });
    for await (const item of items) return JSON.parse(String(item.record)) as JobRecord;
    return undefined;
  }

  async function keySlots(scope: string): Promise<Array<{ index: number; holder: SlotHolder }>> {
    const slots: Array<{ index: number; holder: SlotHolder }> = [];
    const items = queryAll(client, {
      TableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keySlotKey(scope, 0).pk },
      ConsistentRead: true,
    });
    for await (const item of items) {
      slots.push({
        index: Number(String(item.sk).slice('slot#'.length)),
        holder: { jobId: String(item.holderJob), attempt: Number(item.holderAttempt) },
      });
    }
    return slots;
  }

  async function setKeySlot(
    scope: string,
    index: number,
    next: SlotHolder | null,
    expected: SlotHolder | null,
  ): Promise<boolean> {
    const Key = keySlotKey(scope, index);
    const condition =
      expected === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'holderJob = :j AND holderAttempt = :a',
            ExpressionAttributeValues: { ':j': expected.jobId, ':a': expected.attempt },
          };
    if (next === null) {
      if (expected === null) return false;
      return conditionHeld(client.send(new DeleteCommand({ TableName, Key, ...condition })));
    }
    const Item = { ...Key, holderJob: next.jobId, holderAttempt: next.attempt };
    return conditionHeld(client.send(new PutCommand({ TableName, Item, ...condition })));
  }

  return { keyLoad, countKeyQueuedBefore, nextOfKey, keySlots, setKeySlot };
}
