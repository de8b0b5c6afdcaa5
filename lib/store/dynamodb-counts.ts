import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../jobs/job-record';
import type { CountsSettled } from '../jobs/job-store';
import { conditionHeld, countsKey, jobKey, queryAll } from './dynamodb-items';
import type { Item } from './dynamodb-items';
import type { ReplaceEffects } from './store-backend';

/**
 * The counters item's changes, each made exactly once without a transaction (dynalite has none).
 *
 * The write that ends (or reopens) a job carries what it owes the counters: `countToken` (when, which
 * job, attempt and status) and `countAdds`, with `owes = "counts"` for the sparse `byUncounted`
 * index. Then, in three conditional steps:
 *   1. apply: ADD the counts and SET `applied|<token>` on the counters item, only while that flag is
 *      absent (so a second apply of the same change is refused, not counted twice);
 *   2. settle: REMOVE the owed change from the job's item, only while it is still this token;
 *   3. forget: REMOVE the flag.
 * A failure or a crash anywhere leaves the job owing: `settleCounts` (every minute, the reconciler)
 * finds owed changes older than OWED_GRACE_MS by the index and runs the same steps. The writer itself
 * only applies a change younger than half that grace, and a settler only one older than it, so two
 * parties never race one change; a flag a settler set is forgotten only once it is older than twice
 * the grace and its job owes nothing, so a settler that read the change before another settled it
 * still meets the flag.
 */
export const OWED_GRACE_MS = 60_000;

export const OWED_INDEX = 'byUncounted';
const OWES = 'counts';

export interface OwedCounts {
  token: string;
  adds: Record<string, number>;
}

const atOf = (token: string) => Number(token.slice(0, token.indexOf('|')));
const flagOf = (token: string) => `applied|${token}`;

/** What a change of `next` owes the counters (none for a change between live statuses). */
export function owedCounts(
  next: JobRecord,
  effects: ReplaceEffects,
  now = Date.now(),
): OwedCounts | undefined {
  const change = effects.finish
    ? {
        status: next.status,
        adds: {
          [next.status]: 1,
          ...Object.fromEntries(effects.finish.totals.map(([name, add]) => [`total|${name}`, add])),
        },
      }
    : effects.reopened
      ? { status: `reopened-${effects.reopened}`, adds: { [effects.reopened]: -1 } }
      : undefined;
  if (!change) return undefined;
  return {
    token: `${String(now).padStart(13, '0')}|${next.id}|${next.attempts}|${change.status}`,
    adds: change.adds,
  };
}

/** The attributes of a job's item that say what it owes (see the module's comment). */
export const owedAttributes = (owed: OwedCounts): Item => ({
  owes: OWES,
  countToken: owed.token,
  countAdds: owed.adds,
});

export function dynamoDbCounts(client: Pick<DynamoDBDocumentClient, 'send'>, TableName: string) {
  /** Step 1: true when this call counted it, false when it had been counted already. */
  async function apply({ token, adds }: OwedCounts): Promise<boolean> {
    const names = Object.keys(adds);
    return conditionHeld(
      client.send(
        new UpdateCommand({
          TableName,
          Key: countsKey,
          UpdateExpression: `SET #flag = :now ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#flag)',
          ExpressionAttributeNames: {
            '#flag': flagOf(token),
            ...Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
          },
          ExpressionAttributeValues: {
            ':now': Date.now(),
            ...Object.fromEntries(names.map((name, i) => [`:c${i}`, adds[name]])),
          },
        }),
      ),
    );
  }

  /** Step 2: the job owes nothing more for this token. */
  async function settle(id: string, token: string): Promise<void> {
    await conditionHeld(
      client.send(
        new UpdateCommand({
          TableName,
          Key: jobKey(id),
          UpdateExpression: 'REMOVE owes, countToken, countAdds',
          ConditionExpression: 'countToken = :token',
          ExpressionAttributeValues: { ':token': token },
        }),
      ),
    );
  }

  /** Step 3. */
  async function forget(token: string): Promise<void> {
    await client.send(
      new UpdateCommand({
        TableName,
        Key: countsKey,
        UpdateExpression: 'REMOVE #flag',
        ExpressionAttributeNames: { '#flag': flagOf(token) },
      }),
    );
  }

  /**
   * The writer's own steps, right after its write: skipped when the change is no longer young (the
   * write took longer than half the grace), which the reconciler then settles. Failures are left to
   * it too: the change that was written stands.
   */
  async function countNow(id: string, owed: OwedCounts): Promise<void> {
    if (Date.now() - atOf(owed.token) > OWED_GRACE_MS / 2) return;
    try {
      await apply(owed);
      await settle(id, owed.token);
      await forget(owed.token);
    } catch {
      // Owed still: settleCounts applies it (once) within a minute or two.
    }
  }

  /** Steps 1 and 2 for a change found owing past the grace: true when this call counted it. */
  async function settleOwed(id: string, owed: OwedCounts): Promise<boolean> {
    const counted = await apply(owed);
    await settle(id, owed.token);
    return counted;
  }

  /** What a job's item owes, if anything (read when a write found it owing). */
  function owedOf(item: Item | undefined): OwedCounts | undefined {
    if (!item || typeof item.countToken !== 'string') return undefined;
    return { token: item.countToken, adds: (item.countAdds ?? {}) as Record<string, number> };
  }

  const isStale = (token: string, now: number) => now - atOf(token) > OWED_GRACE_MS;

  /**
   * The reconciler's pass: every change owed past the grace is counted (once) and settled, and the
   * flags of changes settled here are forgotten once they are old. Reads only what is owed (the
   * sparse index) and the counters item, whatever the history.
   */
  async function settleCounts(now = Date.now()): Promise<CountsSettled> {
    const done: CountsSettled = { counted: 0, settled: 0 };
    const cutoff = String(now - OWED_GRACE_MS).padStart(13, '0');
    for await (const key of queryAll(client, {
      TableName,
      IndexName: OWED_INDEX,
      KeyConditionExpression: 'owes = :owes AND countToken < :cutoff',
      ExpressionAttributeValues: { ':owes': OWES, ':cutoff': cutoff },
    })) {
      const { Item } = await client.send(
        new GetCommand({ TableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
      );
      const owed = owedOf(Item);
      if (!owed || !isStale(owed.token, now)) continue;
      if (await settleOwed(String(Item!.jobId), owed)) done.counted += 1;
      done.settled += 1;
    }
    const { Item: counters } = await client.send(
      new GetCommand({ TableName, Key: countsKey, ConsistentRead: true }),
    );
    for (const name of Object.keys(counters ?? {})) {
      if (!name.startsWith('applied|')) continue;
      const token = name.slice('applied|'.length);
      if (now - atOf(token) < 2 * OWED_GRACE_MS) continue;
      const id = token.split('|')[1] ?? '';
      const { Item } = await client.send(
        new GetCommand({ TableName, Key: jobKey(id), ConsistentRead: true }),
      );
      if (Item?.countToken !== token) await forget(token);
    }
    return done;
  }

  /**
   * Whether a write refused for `expected` may go again: the record is as expected and only an
   * earlier change owing the counters held it back, now settled (past the grace: here, at once;
   * younger: by its writer, within milliseconds, waited for up to 2 s).
   */
  async function settledBefore(
    id: string,
    expected: Pick<JobRecord, 'status' | 'attempts'>,
  ): Promise<boolean> {
    for (let waited = 0; waited <= 2_000; waited += 100) {
      const { Item } = await client.send(
        new GetCommand({ TableName, Key: jobKey(id), ConsistentRead: true }),
      );
      if (Item?.jobStatus !== expected.status || Number(Item.jobAttempts) !== expected.attempts) return false;
      const owed = owedOf(Item);
      if (!owed) return true;
      if (isStale(owed.token, Date.now())) {
        await settleOwed(id, owed);
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  return { countNow, settledBefore, settleCounts };
}
