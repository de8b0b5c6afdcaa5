import { createHash, randomBytes } from 'node:crypto';
import { JobError } from './job-errors';

/** UUID v7 (RFC 9562): the first 48 bits are the Unix time in ms, so ids sort by creation time. */
const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function format(timeMs: number, random: Buffer): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(timeMs, 0, 6);
  random.copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new job id. */
export function newJobId(now: number = Date.now()): string {
  return format(now, randomBytes(10));
}

/**
 * The job id of a queue message that arrived without one: derived from the message id, so a
 * redelivery of the same message maps to the same job (SQS is at-least-once).
 */
export function jobIdForMessage(messageId: string, sentAtMs: number): string {
  return format(sentAtMs, createHash('sha256').update(messageId).digest());
}

/** True for ids this server made; checked before an id touches a path. */
export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID_PATTERN.test(value);
}

/** Creation time encoded in a job id. */
export function jobIdTime(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Throws unless `id` is a job id this service made: checked before an id goes near a store. */
export function assertJobId(id: string): void {
  if (!isJobId(id)) throw new JobError(`not a job id: ${JSON.stringify(id).slice(0, 60)}`, String(id));
}
