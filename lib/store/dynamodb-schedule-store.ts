import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertJobId } from '../jobs/job-id';
import type { Schedule } from '../schedules/schedule';
import type { ScheduleStore } from '../schedules/schedule-store';
import { conditionHeld, countAll, guarded, queryAll } from './dynamodb-items';
import type { Item } from './dynamodb-items';

/** The partition of the byCreation index that holds the schedules (the jobs' is "all"). */
const SCHEDULES = 'schedules';

const scheduleKey = (id: string) => ({ pk: `schedule#${id}`, sk: 'schedule' });

/**
 * The DynamoDB adapter of the schedule store, in the job table:
 *
 *   pk                   sk           what
 *   schedule#<id>        schedule     the record (JSON), its version and next fire time; jobList =
 *                                     "schedules" and jobId = its id, so the byCreation index lists
 *                                     the schedules (bounded by MAX_SCHEDULES) oldest first
 *
 * A change is one conditional put on the version.
 */
export function createDynamoDbScheduleStore({
  client: rawClient,
  tableName: TableName,
  ownsClient = false,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  ownsClient?: boolean;
}): ScheduleStore {
  const client = guarded(rawClient);
  const itemOf = (schedule: Schedule): Item => ({
    ...scheduleKey(schedule.id),
    jobList: SCHEDULES,
    jobId: schedule.id,
    version: schedule.version,
    ...(schedule.nextRunAt ? { nextRunAt: schedule.nextRunAt } : {}),
    record: JSON.stringify(schedule),
  });
  const recordOf = (item: Item) => JSON.parse(String(item.record)) as Schedule;

  const putIf = (item: Item, ConditionExpression: string, values?: Record<string, unknown>) =>
    conditionHeld(
      client.send(
        new PutCommand({ TableName, Item: item, ConditionExpression, ExpressionAttributeValues: values }),
      ),
    );

  const all = (extra: { FilterExpression?: string; values?: Record<string, unknown> } = {}) =>
    queryAll(client, {
      TableName,
      IndexName: 'byCreation',
      KeyConditionExpression: 'jobList = :list',
      ...(extra.FilterExpression ? { FilterExpression: extra.FilterExpression } : {}),
      ExpressionAttributeValues: { ':list': SCHEDULES, ...extra.values },
    });

  return {
    async create(schedule) {
      assertJobId(schedule.id);
      await putIf(itemOf(schedule), 'attribute_not_exists(pk)');
    },
    async get(id) {
      assertJobId(id);
      const { Item } = await client.send(
        new GetCommand({ TableName, Key: scheduleKey(id), ConsistentRead: true }),
      );
      return Item ? recordOf(Item) : undefined;
    },
    async list({ limit = 20, cursor } = {}) {
      if (cursor !== undefined) assertJobId(cursor);
      const items: Item[] = [];
      for await (const item of queryAll(client, {
        TableName,
        IndexName: 'byCreation',
        KeyConditionExpression: cursor ? 'jobList = :list AND jobId > :cursor' : 'jobList = :list',
        ExpressionAttributeValues: { ':list': SCHEDULES, ...(cursor ? { ':cursor': cursor } : {}) },
        Limit: limit + 1,
      })) {
        items.push(item);
        if (items.length > limit) break;
      }
      const schedules = items.slice(0, limit).map(recordOf);
      return items.length > limit ? { schedules, nextCursor: schedules.at(-1)!.id } : { schedules };
    },
    async due(now, limit) {
      const found: Schedule[] = [];
      for await (const item of all({ FilterExpression: 'nextRunAt <= :now', values: { ':now': now } })) {
        found.push(recordOf(item));
      }
      return found.sort((a, b) => (a.nextRunAt ?? '').localeCompare(b.nextRunAt ?? '')).slice(0, limit);
    },
    async replace(next, expectedVersion) {
      assertJobId(next.id);
      return putIf(itemOf(next), 'version = :v', { ':v': expectedVersion });
    },
    async remove(id) {
      assertJobId(id);
      return conditionHeld(
        client.send(
          new DeleteCommand({ TableName, Key: scheduleKey(id), ConditionExpression: 'attribute_exists(pk)' }),
        ),
      );
    },
    count: () =>
      countAll(client, {
        TableName,
        IndexName: 'byCreation',
        KeyConditionExpression: 'jobList = :list',
        ExpressionAttributeValues: { ':list': SCHEDULES },
      }),
    async close() {
      if (ownsClient) client.destroy();
    },
  };
}
