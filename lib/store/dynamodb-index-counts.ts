import type { DynamoDBDocumentClient, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { assertJobId } from '../jobs/job-id';
import type { JobStatus } from '../jobs/job-record';
import { countAll, queryAll } from './dynamodb-items';

/**
 * What the DynamoDB adapter counts on the byStatus index: the live statuses (bounded by
 * MAX_QUEUED_JOBS and the slots), the queued jobs ahead of one, the queue's mix by task. Keys only,
 * page by page (LastEvaluatedKey followed).
 */
export function dynamoDbIndexCounts(client: Pick<DynamoDBDocumentClient, 'send'>, TableName: string) {
  const queryItems = (input: QueryCommandInput) => queryAll(client, input);

  /** Queued jobs are bounded (MAX_QUEUED_JOBS): their index is read, with the ones that wait counted. */
  const countRetrying = () => countIndex('queued', 'attribute_exists(retryAt)');
  const countQueuedBefore = (id: string) => (assertJobId(id), countIndex('queued', undefined, id));

  /** The queued jobs' tasks, page by page (their jobTask only; items written before it: not counted). */
  async function queuedByTask(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const items = queryItems({
      TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: 'jobStatus = :s',
      ExpressionAttributeValues: { ':s': 'queued' },
      ProjectionExpression: 'jobTask',
    });
    for await (const item of items) {
      if (typeof item.jobTask === 'string') counts[item.jobTask] = (counts[item.jobTask] ?? 0) + 1;
    }
    return counts;
  }

  function countIndex(status: JobStatus, filter?: string, beforeId?: string): Promise<number> {
    return countAll(client, {
      TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: beforeId ? 'jobStatus = :s AND jobId < :id' : 'jobStatus = :s',
      ...(filter ? { FilterExpression: filter } : {}),
      ExpressionAttributeValues: { ':s': status, ...(beforeId ? { ':id': beforeId } : {}) },
    });
  }

  return { countIndex, countRetrying, countQueuedBefore, queuedByTask };
}
