import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiDocument } from '../../../lib/http/openapi';
import { ROUTES } from '../../../lib/http/routes';
import { createCatalogue } from '../../../lib/tasks/catalogue';
import { createOpenApiCheck } from '../../helpers/openapi-check';

const catalogue = createCatalogue();
const document = () => openApiDocument({ catalogue, version: '1.2.3' });

type Paths = Record<
  string,
  Record<string, { requestBody?: unknown; security?: unknown[]; responses: object }>
>;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document()) as never)).resolves.toBeTruthy();
    expect(document()).toMatchObject({ openapi: '3.1.0', info: { version: '1.2.3' } });
  });

  it('describes every route, and each task with a submit operation of its own', () => {
    const paths = document().paths as Paths;
    const described = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = ROUTES.flatMap((route) =>
      route === 'POST /api/tasks/{task}'
        ? catalogue.tasks().map((t) => `POST /api/tasks/${t.name}`)
        : [route],
    );
    expect(described.sort()).toEqual([...expected].sort());
  });

  it('gives a task’s submit operation exactly that task’s input schema', () => {
    const paths = document().paths as Paths;
    for (const task of catalogue.tasks()) {
      expect(paths[`/api/tasks/${task.name}`]!.post!.requestBody).toMatchObject({
        content: { 'application/json': { schema: { properties: { input: task.inputSchema } } } },
      });
    }
  });

  it('asks for a bearer token except on the public routes', () => {
    const paths = document().paths as Paths;
    expect(document().security).toEqual([{ bearer: [] }]);
    expect(paths['/api/health']!.get!.security).toEqual([]);
    expect(paths['/api/jobs']!.get!.security).toBeUndefined();
  });

  describe('its response check (what the end-to-end tests apply to every answer)', () => {
    const check = createOpenApiCheck(document());
    const error = { error: { code: 'job_not_found', message: 'no job x' } };

    it('passes an answer the document describes', () => {
      expect(() =>
        check('GET', '/api/jobs/01a22357-c75e-7952-a5f3-52febc9b27c8', {
          status: 404,
          headers: {},
          body: error,
        }),
      ).not.toThrow();
    });

    it.each([
      ['a status the operation does not name', 'GET', '/api/jobs/x', 418, error],
      ['a body outside the error shape', 'GET', '/api/jobs/x', 404, { message: 'no' }],
      [
        'a field the document does not know',
        'GET',
        '/api/jobs/x',
        404,
        { error: { ...error.error, stack: 'at' } },
      ],
      ['a route the document does not know, answered other than 404', 'GET', '/api/nope', 200, error],
      ['a 404 of an unknown route outside the error shape', 'GET', '/api/nope', 404, 'Not Found'],
    ])('fails %s', (_name, method, url, status, body) => {
      expect(() => check(method, url, { status, headers: {}, body })).toThrow();
    });

    it('passes the catch-all route’s 404 and 405 in the error shape', () => {
      const noRoute = { error: { code: 'route_not_found', message: 'no route /api/nope' } };
      expect(() => check('GET', '/api/nope', { status: 404, headers: {}, body: noRoute })).not.toThrow();
      expect(() =>
        check('PUT', '/api/tasks/echo', { status: 405, headers: {}, body: noRoute }),
      ).not.toThrow();
    });

    it('fails an answer without a header the document names', () => {
      const accepted = {
        jobId: '01a22357-c75e-7952-a5f3-52febc9b27c8',
        status: 'queued',
        links: { self: '/a', cancel: '/a', retry: '/a/retry' },
      };
      expect(() => check('POST', '/api/tasks/echo', { status: 202, headers: {}, body: accepted })).toThrow(
        /Location/,
      );
      expect(() =>
        check('POST', '/api/tasks/echo', { status: 202, headers: { location: '/a' }, body: accepted }),
      ).not.toThrow();
    });
  });
});
