import { isJobId } from '../jobs/job-id';
import { badRequest } from './api-error';
import type { HttpEvent } from './http-handler';

/** The `{id}` path parameter, checked to be a job id before it goes anywhere near a path. */
export function jobIdParam(event: HttpEvent): string {
  const id = event.pathParameters?.id ?? '';
  if (!isJobId(id)) throw badRequest('invalid_job_id', 'job id must be a UUID made by this service');
  return id;
}

/** An optional integer query parameter within [min, max]. */
export function intQuery(event: HttpEvent, name: string, min: number, max: number): number | undefined {
  const raw = event.queryStringParameters?.[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw badRequest('invalid_query', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
