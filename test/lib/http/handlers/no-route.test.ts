import path from 'node:path';
import { createNoRouteHandler } from '../../../../lib/http/handlers/no-route';
import { ROUTES } from '../../../../lib/http/routes';
import { printServerlessConfig } from '../../../../lib/local/serverless-settings';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { openAccess, silentLogger } from '../../../helpers/services';

const projectDir = path.resolve(__dirname, '..', '..', '..', '..');

describe('the $default route', () => {
  const handler = createNoRouteHandler({ logger: silentLogger, auth: openAccess });

  it.each([
    ['PUT', '/api/tasks/echo', 'POST'],
    ['POST', '/api/jobs/01a22357-c75e-7952-a5f3-52febc9b27c8', 'GET, DELETE'],
    ['DELETE', '/api/tasks', 'GET'],
  ])('answers 405 with Allow for %s %s', async (method, route, allow) => {
    const response = await handler(apiEvent({ method, path: route }), context);
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe(allow);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it.each(['/api/nope', '/api/tasks/echo/more', '/'])(
    'answers 404 in the API shape for %s',
    async (route) => {
      const response = await handler(apiEvent({ method: 'GET', path: route }), context);
      expect(response.statusCode).toBe(404);
      expect(bodyOf(response)).toEqual({ error: { code: 'route_not_found', message: `no route ${route}` } });
    },
  );

  it('knows exactly the routes serverless.yml declares', async () => {
    const printed = (await printServerlessConfig(projectDir)) as {
      functions: Record<string, { events?: Array<{ httpApi?: unknown }> }>;
    };
    const declared = Object.values(printed.functions)
      .flatMap((fn) => fn.events ?? [])
      .map((event) => event.httpApi)
      .filter((route): route is string => typeof route === 'string' && route !== '*');
    expect([...declared].sort()).toEqual([...ROUTES].sort());
  }, 60_000);
});
