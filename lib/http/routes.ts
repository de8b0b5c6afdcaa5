/** Every route of the HTTP API, as serverless.yml declares them (a test holds the two together). */
export const ROUTES = [
  'GET /api/health',
  'GET /api/system-info',
  'GET /api/openapi.json',
  'GET /api/tasks',
  'POST /api/tasks/{task}',
  'GET /api/jobs/{id}',
  'GET /api/jobs/{id}/output',
  'GET /api/jobs',
  'DELETE /api/jobs/{id}',
  'POST /api/jobs/{id}/retry',
  'POST /api/dead-letters/redrive',
  'POST /api/schedules',
  'GET /api/schedules',
  'GET /api/schedules/{id}',
  'PATCH /api/schedules/{id}',
  'DELETE /api/schedules/{id}',
  'GET /api/queue-stats',
  'GET /api/metrics',
  'GET /dashboard',
] as const;

function matches(template: string, path: string): boolean {
  const want = template.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  return want.length === got.length && want.every((part, i) => part.startsWith('{') || part === got[i]);
}

/** The methods the API answers on `path` (empty: no such route). */
export function allowedMethods(path: string): string[] {
  return ROUTES.filter((route) => matches(route.split(' ')[1]!, path)).map((route) => route.split(' ')[0]!);
}
