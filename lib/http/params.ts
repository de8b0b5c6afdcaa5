import { isJobId } from '../jobs/job-id';
import { badRequest, notFound } from './api-error';
import type { HttpEvent } from './http-handler';

/** Any well-formed UUID, whatever its version. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `{id}` path parameter of a job's or a schedule's route (both are ids this service made),
 * checked before it goes anywhere near a path. A malformed id is 400; a well-formed UUID that this
 * service cannot have made (another version) is simply not one here: 404, without touching the store.
 */
function idParam(event: HttpEvent, noun: 'job' | 'schedule'): string {
  const id = event.pathParameters?.id ?? '';
  if (isJobId(id)) return id;
  if (UUID_PATTERN.test(id)) throw notFound(`${noun}_not_found`, `no ${noun} ${String(id).toLowerCase()}`);
  throw badRequest(`invalid_${noun}_id`, `${noun} id must be a UUID`);
}

export const jobIdParam = (event: HttpEvent) => idParam(event, 'job');
export const scheduleIdParam = (event: HttpEvent) => idParam(event, 'schedule');

/**
 * An optional query parameter: undefined when absent; present but empty (`?limit=`) is a client's
 * mistake, answered 400 like any other invalid value rather than read as absent.
 */
export function optionalQuery(event: HttpEvent, name: string, expected: string): string | undefined {
  const raw = event.queryStringParameters?.[name];
  if (raw === '') throw badRequest('invalid_query', `${name} is empty: ${expected}, or leave it out`);
  return raw ?? undefined;
}

/** An optional integer query parameter within [min, max]. */
export function intQuery(event: HttpEvent, name: string, min: number, max: number): number | undefined {
  const raw = optionalQuery(event, name, `an integer from ${min} to ${max}`);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw badRequest('invalid_query', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

const MAX_IDEMPOTENCY_KEY = 255;

/** The optional `Idempotency-Key` header: 1 to 255 characters when given. */
export function idempotencyKeyHeader(event: HttpEvent): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key !== undefined && (key === '' || key.length > MAX_IDEMPOTENCY_KEY)) {
    throw badRequest(
      'invalid_idempotency_key',
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
    );
  }
  return key;
}
