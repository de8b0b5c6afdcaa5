import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import path from 'node:path';
import { JobError } from '../jobs/job-errors';
import { isJobId } from '../jobs/job-id';
import { isFinal, JOB_STATUSES } from '../jobs/job-record';
import type { JobRecord, JobStatus } from '../jobs/job-record';
import { addFinished, addMinute, MINUTE_MS, minuteStart } from '../stats/finished-minutes';
import { createKeyedMutex, isErrnoException, writeFileAtomic } from './atomic-file';
import { transitioned } from './job-store';
import type { Claim, FinishedMinute, JobPage, JobStore, ListQuery, TransitionOptions } from './job-store';
import { isOutOfSpace, JobRecordUnreadableError, StoreFullError } from './store-errors';

/** One line of a finished/<minute>.jsonl file. */
interface FinishedEvent {
  id: string;
  task: string;
  status: JobStatus;
  startedAt?: string;
  finishedAt: string;
  waitMs?: number;
  runMs?: number;
}

/**
 * The file adapter of the job store: one JSON file per job, on a directory every worker of the
 * local stack shares. The embedded default for `npm start` and the tests.
 *
 * Layout (all names are server-made job ids, checked before they touch a path):
 *   jobs/<id>.json            the record, replaced atomically on every change
 *   by-status/<status>/<id>   empty index entries, so a filtered page or a count never reads records
 *   claims/<id>.<attempt>     who runs (or cancelled) an attempt; created exclusively, so one wins
 *   cancel-requests/<id>      a cancel asked for while the job runs; the runner polls for it
 *   idempotency/<sha256>      the job id made for an Idempotency-Key
 *   finished/<minute>.jsonl   one line per finished job, for throughput and percentiles
 *
 * Job ids are UUID v7, so sorting names sorts by creation time: a page is a readdir, a sort and
 * `limit` record reads, however many jobs there are.
 */
/** Longer than any file system's timestamp granularity. */
const QUIET_MS = 100;

function minuteKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

function checkId(id: string): void {
  if (!isJobId(id)) throw new JobError(`not a job id: ${JSON.stringify(id).slice(0, 60)}`, String(id));
}

/** Opens (and creates if needed) a job store in `dir`. */
export function createFileJobStore({ dir }: { dir: string }): JobStore {
  const root = path.resolve(dir);
  const paths = {
    record: (id: string) => path.join(root, 'jobs', `${id}.json`),
    index: (status: JobStatus, id = '') => path.join(root, 'by-status', status, id),
    claim: (id: string, attempt: number) => path.join(root, 'claims', `${id}.${attempt}`),
    cancel: (id: string) => path.join(root, 'cancel-requests', id),
    idempotency: (key: string) =>
      path.join(root, 'idempotency', createHash('sha256').update(key).digest('hex')),
    finished: (minute: string) => path.join(root, 'finished', `${minute}.jsonl`),
    meta: (name: string) => path.join(root, 'meta', `${name}.json`),
  };
  const exclusive = createKeyedMutex();
  let ready: Promise<void> | undefined;

  function ensureDirs(): Promise<void> {
    ready ??= (async () => {
      const dirs = ['jobs', 'claims', 'cancel-requests', 'idempotency', 'finished', 'meta'].map((d) =>
        path.join(root, d),
      );
      dirs.push(...JOB_STATUSES.map((s) => paths.index(s)));
      await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  }

  async function readJson<T>(file: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (isErrnoException(error, 'ENOENT')) return undefined;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  /** A record; a damaged one (not JSON: a disk fault, a hand edit) is an error naming that job. */
  async function readRecord(id: string): Promise<JobRecord | undefined> {
    try {
      return await readJson<JobRecord>(paths.record(id));
    } catch (error) {
      if (error instanceof SyntaxError) throw new JobRecordUnreadableError(id, { cause: error });
      throw error;
    }
  }

  /** A record for a list: a damaged one is left out, so one bad file never breaks a page. */
  async function readListed(id: string): Promise<JobRecord | undefined> {
    return readRecord(id).catch((error: unknown) => {
      if (error instanceof JobRecordUnreadableError) return undefined;
      throw error;
    });
  }

  async function get(id: string): Promise<JobRecord | undefined> {
    checkId(id);
    await ensureDirs();
    return readRecord(id);
  }

  /** The record and its index entries change together (readers re-check an index against the record). */
  async function write(record: JobRecord, previous?: JobStatus): Promise<void> {
    const writes = [writeFileAtomic(paths.record(record.id), JSON.stringify(record))];
    if (previous !== record.status) {
      writes.push(writeFile(paths.index(record.status, record.id), ''));
      if (previous) writes.push(unlink(paths.index(previous, record.id)).catch(() => undefined));
    }
    await Promise.all(writes);
  }

  async function recordFinished(record: JobRecord): Promise<void> {
    const event: FinishedEvent = {
      id: record.id,
      task: record.task,
      status: record.status,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt ?? new Date().toISOString(),
      waitMs: record.waitMs,
      runMs: record.runMs,
    };
    // One short line per append: O_APPEND writes of this size land whole.
    await appendFile(paths.finished(minuteKey(Date.parse(event.finishedAt))), `${JSON.stringify(event)}\n`);
  }

  async function create(record: JobRecord, options: { idempotencyKey?: string } = {}) {
    checkId(record.id);
    await ensureDirs();
    try {
      if (options.idempotencyKey !== undefined) {
        const keyFile = paths.idempotency(options.idempotencyKey);
        try {
          await writeFile(keyFile, record.id, { flag: 'wx' });
        } catch (error) {
          if (!isErrnoException(error, 'EEXIST')) throw error;
          const existing = await waitForKeyedJob(keyFile);
          if (existing) return { job: existing, created: false };
          // The job of that key was rolled back (its enqueue failed): this submit takes the key over.
          await writeFileAtomic(keyFile, record.id);
        }
      }
      await exclusive(record.id, () => write(record));
    } catch (error) {
      // Nothing half-made stays behind: the record, its index entry and its key go together.
      await Promise.all([
        remove(record.id, options).catch(() => undefined),
        unlink(paths.index(record.status, record.id)).catch(() => undefined),
      ]);
      throw isOutOfSpace(error) ? new StoreFullError({ cause: error }) : error;
    }
    return { job: record, created: true };
  }

  /** The job a key points at; a concurrent submit may be between writing the key and the record. */
  async function waitForKeyedJob(keyFile: string): Promise<JobRecord | undefined> {
    for (let i = 0; i < 40; i += 1) {
      const id = (await readFile(keyFile, 'utf8').catch(() => '')).trim();
      if (isJobId(id)) {
        const job = await readRecord(id);
        if (job) return job;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return undefined;
  }

  async function transition(
    id: string,
    to: JobStatus,
    patch: Partial<JobRecord> = {},
    { from, attempt }: TransitionOptions = {},
  ): Promise<JobRecord> {
    checkId(id);
    await ensureDirs();
    return exclusive(id, async () => {
      const { previous, next } = transitioned(id, from ?? (await readRecord(id)), to, patch, attempt);
      await Promise.all([
        write(next, previous.status),
        ...(isFinal(to) ? [recordFinished(next), unlink(paths.cancel(id)).catch(() => undefined)] : []),
      ]);
      return next;
    });
  }

  async function remove(id: string, options: { idempotencyKey?: string } = {}): Promise<void> {
    checkId(id);
    await exclusive(id, async () => {
      const current = await readJson<JobRecord>(paths.record(id)).catch(() => undefined);
      await unlink(paths.record(id)).catch(() => undefined);
      if (current) await unlink(paths.index(current.status, id)).catch(() => undefined);
    });
    if (options.idempotencyKey !== undefined) {
      await unlink(paths.idempotency(options.idempotencyKey)).catch(() => undefined);
    }
  }

  async function sortedIds(directory: string, suffix: string): Promise<string[]> {
    const names = await readdir(directory);
    const ids: string[] = [];
    for (const name of names) {
      if (!name.endsWith(suffix)) continue;
      const id = suffix ? name.slice(0, -suffix.length) : name;
      if (isJobId(id)) ids.push(id);
    }
    return ids.sort().reverse();
  }

  async function list(query: ListQuery = {}): Promise<JobPage> {
    await ensureDirs();
    const limit = query.limit ?? 20;
    if (query.cursor !== undefined) checkId(query.cursor);
    const ids = query.status
      ? await sortedIds(paths.index(query.status), '')
      : await sortedIds(path.join(root, 'jobs'), '.json');
    let start = 0;
    if (query.cursor) {
      const cursor = query.cursor;
      start = ids.findIndex((id) => id < cursor);
      if (start === -1) return { jobs: [] };
    }
    const jobs: JobRecord[] = [];
    let i = start;
    // An index entry can lag its record by a moment (it moves after the record is written): re-check.
    while (jobs.length < limit && i < ids.length) {
      const batch = ids.slice(i, i + (limit - jobs.length));
      i += batch.length;
      const records = await Promise.all(batch.map(readListed));
      for (const record of records) {
        if (record && (!query.status || record.status === query.status)) jobs.push(record);
      }
    }
    const last = jobs.at(-1);
    return i < ids.length && last ? { jobs, nextCursor: last.id } : { jobs };
  }

  /**
   * Entries of each status index. A directory that has not changed since it was last counted is
   * not listed again: its mtime is compared, and only trusted once it is older than the file
   * system's timestamp granularity (changes within one tick leave the mtime as it was).
   */
  const counted = new Map<JobStatus, { mtimeMs: number; count: number }>();
  async function countStatus(status: JobStatus): Promise<number> {
    const dir = paths.index(status);
    const { mtimeMs } = await stat(dir);
    const cached = counted.get(status);
    if (cached && cached.mtimeMs === mtimeMs) return cached.count;
    const count = (await readdir(dir)).length;
    if (Date.now() - mtimeMs > QUIET_MS) counted.set(status, { mtimeMs, count });
    else counted.delete(status);
    return count;
  }

  async function countByStatus(): Promise<Record<JobStatus, number>> {
    await ensureDirs();
    const counts = await Promise.all(JOB_STATUSES.map(countStatus));
    return Object.fromEntries(JOB_STATUSES.map((s, i) => [s, counts[i]!])) as Record<JobStatus, number>;
  }

  async function claim(id: string, attempt: number, value: Claim): Promise<boolean> {
    checkId(id);
    await ensureDirs();
    try {
      await writeFile(paths.claim(id, attempt), JSON.stringify(value), { flag: 'wx' });
      return true;
    } catch (error) {
      if (isErrnoException(error, 'EEXIST')) return false;
      throw error;
    }
  }

  async function readClaim(id: string, attempt: number): Promise<Claim | undefined> {
    checkId(id);
    return readJson<Claim>(paths.claim(id, attempt));
  }

  async function updateClaim(id: string, attempt: number, patch: Partial<Claim>): Promise<void> {
    const current = await readClaim(id, attempt);
    if (!current) return;
    await writeFileAtomic(paths.claim(id, attempt), JSON.stringify({ ...current, ...patch }));
  }

  async function requestCancel(id: string): Promise<void> {
    checkId(id);
    await ensureDirs();
    await writeFile(paths.cancel(id), new Date().toISOString());
  }

  async function isCancelRequested(id: string): Promise<boolean> {
    checkId(id);
    try {
      await stat(paths.cancel(id));
      return true;
    } catch (error) {
      if (isErrnoException(error, 'ENOENT')) return false;
      throw error;
    }
  }

  /**
   * Minute files are append-only: each keeps what its lines add to the per-minute statistics (a run
   * also adds busy time to the minutes before it), and only bytes appended since are read and added
   * on the next call. A statistics read merges at most 16 small aggregates, never every event.
   */
  const minutes = new Map<string, { bytes: number; partial: Map<number, FinishedMinute> }>();

  async function readMinute(file: string): Promise<Map<number, FinishedMinute>> {
    const cached = minutes.get(file) ?? { bytes: 0, partial: new Map<number, FinishedMinute>() };
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (error) {
      if (isErrnoException(error, 'ENOENT')) return new Map();
      throw error;
    }
    const from = cached.bytes;
    if (size <= from) return cached.partial;
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(size - from);
      await handle.read(buffer, 0, buffer.length, from);
      // A concurrent call added these bytes already: do not count them twice.
      const current = minutes.get(file) ?? cached;
      if (current.bytes !== from) return current.partial;
      // Parse whole lines only; a line still being appended is read next time.
      const text = buffer.toString('utf8');
      const complete = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, complete).split('\n')) {
        if (!line) continue;
        try {
          const event = JSON.parse(line) as FinishedEvent;
          addFinished(current.partial, {
            finishedAtMs: Date.parse(event.finishedAt),
            startedAtMs: event.startedAt ? Date.parse(event.startedAt) : undefined,
            waitMs: event.waitMs,
            runMs: event.runMs,
          });
        } catch {
          // A line cut short by a crash mid-append: skip it.
        }
      }
      current.bytes = from + Buffer.byteLength(text.slice(0, complete));
      minutes.set(file, current);
      return current.partial;
    } finally {
      await handle.close();
    }
  }

  async function finishedByMinute(fromMs: number, toMs = Date.now()): Promise<FinishedMinute[]> {
    await ensureDirs();
    const files: string[] = [];
    for (let t = minuteStart(fromMs); t <= toMs; t += MINUTE_MS) files.push(paths.finished(minuteKey(t)));
    for (const file of minutes.keys()) if (!files.includes(file) && file < files[0]!) minutes.delete(file);
    const byMinute = new Map<number, FinishedMinute>();
    for (const partial of await Promise.all(files.map(readMinute))) {
      for (const minute of partial.values()) addMinute(byMinute, minute);
    }
    return [...byMinute.values()]
      .filter((minute) => minute.minuteMs + MINUTE_MS > fromMs && minute.minuteMs <= toMs)
      .sort((a, b) => a.minuteMs - b.minuteMs);
  }

  /**
   * A job reaching a final state creates its entry in that status's index directory: one inotify
   * watch per final status serves every waiter of this process, and costs nothing while nothing
   * finishes. Watches are made on first use and kept (unref'd, so they never hold the process).
   */
  const finishedListeners = new Set<(id: string) => void>();
  let watching: Promise<void> | undefined;
  const watchers: FSWatcher[] = [];
  function onFinished(listener: (id: string) => void): () => void {
    finishedListeners.add(listener);
    watching ??= ensureDirs().then(() => {
      for (const status of JOB_STATUSES.filter(isFinal)) {
        const watcher = watch(paths.index(status), (_event, name) => {
          if (name && isJobId(name)) for (const notify of finishedListeners) notify(name);
        });
        watcher.on('error', () => watcher.close());
        watcher.unref();
        watchers.push(watcher);
      }
    });
    watching.catch(() => (watching = undefined));
    return () => finishedListeners.delete(listener);
  }

  async function probe(): Promise<void> {
    await ensureDirs();
    const file = path.join(root, 'meta', `.probe-${process.pid}-${Date.now()}`);
    await writeFile(file, 'ok');
    await unlink(file);
  }

  async function readMeta<T>(name: string): Promise<T | undefined> {
    await ensureDirs();
    return readJson<T>(paths.meta(name));
  }

  async function writeMeta(name: string, value: unknown): Promise<void> {
    await ensureDirs();
    await exclusive(`meta:${name}`, () => writeFileAtomic(paths.meta(name), JSON.stringify(value)));
  }

  async function close(): Promise<void> {
    for (const watcher of watchers.splice(0)) watcher.close();
    watching = undefined;
  }

  return {
    create,
    get,
    transition,
    remove,
    list,
    countByStatus,
    claim,
    readClaim,
    updateClaim,
    requestCancel,
    isCancelRequested,
    finishedByMinute,
    onFinished,
    probe,
    readMeta,
    writeMeta,
    close,
  };
}
