import type Database from 'libsql';
import { assertJobId } from '../jobs/job-id';
import type { KeyLoad, SlotHolder } from '../jobs/concurrency-keys';
import type { JobRecord } from '../jobs/job-record';
import type { Statements } from './sqlite-statements';

type Row = Record<string, unknown>;
type Use = <T>(fn: (db: Database.Database, sql: Statements) => T) => T;

/**
 * What the SQLite adapter keeps of concurrency keys: the live jobs by key and task (one index,
 * jobs_live_by_key, answers it), a queue's place among a key's jobs, and the key slots (one row per
 * slot held, each change one conditional statement).
 */
export function sqliteKeys(use: Use) {
  async function countQueuedBefore(id: string, key?: string): Promise<number> {
    assertJobId(id);
    return use((_, sql) =>
      Number(((key === undefined ? sql.queuedBefore.get(id) : sql.keyQueuedBefore.get(key, id)) as Row).n),
    );
  }

  async function keyLoad(): Promise<KeyLoad[]> {
    const rows = use((_, sql) => sql.keyLoad.all(new Date().toISOString()) as Row[]);
    return rows
      .filter((row) => row.task !== null)
      .map((row) => ({
        key: row.key === null ? null : String(row.key),
        task: String(row.task),
        running: Number(row.running),
        waiting: Number(row.waiting),
      }));
  }

  async function keySlots(scope: string): Promise<Array<{ index: number; holder: SlotHolder }>> {
    const rows = use((_, sql) => sql.keySlots.all(scope) as Row[]);
    return rows.map((row) => ({
      index: Number(row.slot),
      holder: { jobId: String(row.job_id), attempt: Number(row.attempt) },
    }));
  }

  async function setKeySlot(
    scope: string,
    index: number,
    next: SlotHolder | null,
    expected: SlotHolder | null,
  ): Promise<boolean> {
    return use((_, sql) => {
      if (expected === null) {
        return next === null
          ? false
          : sql.keySlotTake.run(scope, index, next.jobId, next.attempt).changes === 1;
      }
      const { jobId, attempt } = expected;
      if (next === null) return sql.keySlotFree.run(scope, index, jobId, attempt).changes === 1;
      return sql.keySlotMove.run(next.jobId, next.attempt, scope, index, jobId, attempt).changes === 1;
    });
  }

  async function nextOfKey(task: string, key: string): Promise<JobRecord | undefined> {
    const row = use((_, sql) => sql.nextOfKey.get(key, task, new Date().toISOString()) as Row | undefined);
    return row ? (JSON.parse(String(row.record)) as JobRecord) : undefined;
  }

  return { countQueuedBefore, keyLoad, nextOfKey, keySlots, setKeySlot };
}
