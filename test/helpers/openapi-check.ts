import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../lib/http/openapi';
import { createCatalogue } from '../../lib/tasks/catalogue';
import { version } from '../../package.json';

type Json = Record<string, unknown>;

/**
 * Checks an answer of the API against its OpenAPI document: the route and method are in it, the
 * status is one the operation names, the body matches that status's schema, and the headers it names
 * are there. Used by the end-to-end tests on every response they receive, so a response that drifts
 * from the document fails a test.
 */
export function createOpenApiCheck(
  document: Json = openApiDocument({ catalogue: createCatalogue(), version }),
) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  const paths = document.paths as Record<string, Record<string, Json>>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    // A concrete path (/api/tasks/echo) before a template that would match it too.
    params: (template.match(/\{/g) ?? []).length,
  }));
  templates.sort((a, b) => a.params - b.params);

  return function check(
    method: string,
    url: string,
    answer: { status: number; headers: Headers | Record<string, string | undefined>; body: unknown },
  ): void {
    // A trailing slash names the same route (the routes table and serverless offline strip it).
    const path = new URL(url, 'http://x').pathname.replace(/(.)\/+$/, '$1');
    const where = `${method} ${path} → ${answer.status}`;
    const found = templates.find((t) => t.pattern.test(path));
    const operation = found && paths[found.template]![method.toLowerCase()];
    if (!found || !operation) {
      // The catch-all route: a path or a method the API does not have is 404 or 405, in the error shape.
      if (
        (answer.status === 404 || answer.status === 405) &&
        ajv.validate('openapi#/components/schemas/Error', answer.body)
      ) {
        return;
      }
      throw new Error(`${where}: no such operation in the OpenAPI document`);
    }
    const responses = operation.responses as Record<string, Json>;
    const response = responses[String(answer.status)];
    if (!response) {
      throw new Error(`${where}: the document names only ${Object.keys(responses).join(', ')}`);
    }
    const header = (name: string) =>
      answer.headers instanceof Headers ? answer.headers.get(name) : answer.headers[name.toLowerCase()];
    // A header the document marks required for a response is one a client may rely on: it must be there.
    const components = (document.components as { headers: Record<string, { required?: boolean }> }).headers;
    for (const name of Object.keys((response.headers as Json | undefined) ?? {})) {
      if (components[name]?.required && header(name) == null) throw new Error(`${where}: no ${name} header`);
    }
    const content = response.content as Record<string, { schema: Json }> | undefined;
    const json = content?.['application/json'];
    if (!json) return;
    const pointer = `openapi#/paths/${found.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${answer.status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate) throw new Error(`${where}: cannot compile ${pointer}`);
    if (!validate(answer.body)) {
      throw new Error(
        `${where}: the body does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(answer.body).slice(0, 600)}`,
      );
    }
  };
}

const defaultCheck = createOpenApiCheck();

/**
 * fetch, and the answer checked against the OpenAPI document (a failed check throws): what the
 * end-to-end tests call the API with.
 */
export async function checkedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const text = await response.clone().text();
  const isJson = /^application\/json/.test(response.headers.get('content-type') ?? '');
  defaultCheck(init.method ?? 'GET', url, {
    status: response.status,
    headers: response.headers,
    body: isJson && text ? (JSON.parse(text) as unknown) : text,
  });
  return response;
}
