import type { JobRecord } from './job-record';
import { isFinal } from './job-record';
import type { OutputStream } from '../process/run-process';
import { boundaryAtOrAfter, boundaryAtOrBefore } from '../process/utf8';
import type { JobStore } from './job-store';
import { waitFor } from './wait-for-job';

/** What one read of a job's output answers (GET /api/jobs/{id}/output). */
export interface OutputPage {
  stream: OutputStream;
  /** The attempt the text is of: a new attempt writes its output from offset 0 again. */
  attempt: number;
  /** Where `data` starts, in bytes of the stream's UTF-8 text. */
  offset: number;
  /** Where the next read starts. */
  nextOffset: number;
  data: string;
  /** The job is final and nothing past `nextOffset` will come. */
  complete: boolean;
  /** The task wrote more than its output cap; the rest was dropped. */
  truncated: boolean;
}

/** At most this much text in one answer; the rest is read from `nextOffset`. */
export const MAX_OUTPUT_PAGE_BYTES = 1024 * 1024;

/** The text of `bytes` (which start at byte `base` of the stream) from `from` on, cut to a page. */
function pageOf(bytes: Buffer, base: number, from: number): { offset: number; data: string; end: number } {
  const start = boundaryAtOrAfter(bytes, Math.max(0, from - base));
  let end = bytes.length;
  // Back to the start of the character a cut would split.
  if (end - start > MAX_OUTPUT_PAGE_BYTES)
    end = boundaryAtOrBefore(bytes, start + MAX_OUTPUT_PAGE_BYTES, start);
  return { offset: base + start, data: bytes.subarray(start, end).toString('utf8'), end: base + end };
}

/**
 * A job's output from byte `offset` of `stream` on: from the finished record once the job is final,
 * else from the pieces its running attempt has written to the store so far.
 */
export async function readJobOutput(
  store: Pick<JobStore, 'readOutput'>,
  job: JobRecord,
  stream: OutputStream,
  offset: number,
): Promise<OutputPage> {
  const attempt = job.attempts;
  if (isFinal(job.status)) {
    const bytes = Buffer.from(job.output?.[stream] ?? '');
    const page = pageOf(bytes, 0, offset);
    return {
      stream,
      attempt,
      offset: page.offset,
      nextOffset: Math.max(page.end, offset),
      data: page.data,
      complete: page.end >= bytes.length,
      truncated: job.output?.truncated ?? false,
    };
  }
  const empty = { stream, attempt, offset, nextOffset: offset, data: '', complete: false, truncated: false };
  if (job.status !== 'running') return empty;
  const chunks = await store.readOutput(job.id, attempt, stream, offset);
  if (chunks.length === 0) return empty;
  // The pieces are written in order; one whose write failed leaves a gap, and the text goes on
  // after it (the finished record has it all).
  const first = chunks[0]!;
  const parts: Buffer[] = [];
  let next = first.offset;
  for (const chunk of chunks) {
    if (chunk.offset !== next) break;
    const bytes = Buffer.from(chunk.data);
    parts.push(bytes);
    next += bytes.length;
  }
  const page = pageOf(Buffer.concat(parts), first.offset, offset);
  return { ...empty, offset: page.offset, nextOffset: page.end, data: page.data };
}

/**
 * Waits until there is output past `offset` or the job is final, at most `timeoutMs`; reads the
 * store every `pollMs` meanwhile (pieces come at most every 500 ms), and at once when the store
 * reports the job finished.
 */
export function waitForOutput(
  store: Pick<JobStore, 'get' | 'readOutput' | 'onFinished'>,
  job: JobRecord,
  stream: OutputStream,
  offset: number,
  timeoutMs: number,
  pollMs = 250,
): Promise<OutputPage> {
  let first = true;
  const read = async () => {
    const latest = first ? job : ((await store.get(job.id)) ?? job);
    first = false;
    return readJobOutput(store, latest, stream, offset);
  };
  return waitFor(store, job.id, read, (page) => page.data !== '' || page.complete, timeoutMs, pollMs);
}
