import { BatchGetCommand, DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchGetCommandOutput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../jobs/job-record';
import { emptyMinute, MINUTE_MS, minuteStart, totalsOf } from '../jobs/job-statistics';
import type { FinishedTotals } from '../jobs/job-statistics';
import type { FinishedMinute } from '../jobs/job-store';
import { cancelKey, countsKey, DAY_S, minuteKey } from './dynamodb-items';
import type { Item } from './dynamodb-items';
import type { FinishEffects } from './store-backend';

/**
 * The DynamoDB adapter's statistics: the counters item (final statuses, all-time totals: changed once
 * per change, see dynamodb-counts.ts) and one item per minute (finished jobs, busy time, histograms),
 * added to on every finish with ADD, never by reading the jobs. The minutes are best effort: a failed
 * ADD is not made again (they feed the last 15 minutes' rates and expire after a day).
 */
export function dynamoDbStatistics(client: Pick<DynamoDBDocumentClient, 'send'>, TableName: string) {
  async function recordFinished(record: JobRecord, { shares }: FinishEffects): Promise<void> {
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
    updates.push(client.send(new DeleteCommand({ TableName, Key: cancelKey(record.id) })));
    await Promise.all(updates);
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

  return { recordFinished, readCounts, finishedTotals, finishedByMinute };
}
