import fc from 'fast-check';

type Json = Record<string, unknown>;

/** One generated request: what a hostile or careless client may send to an operation. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const UUID = '01a22357-c75e-7952-a5f3-52febc9b27c8';

/** Values a path segment, a query value or a header may take: valid-looking, empty, odd, huge. */
const oddText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e9',
    '26',
    'NaN',
    'null',
    'true',
    '%00',
    '..%2F..',
    '€',
    UUID,
    UUID.toUpperCase(),
  ),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constant('x'.repeat(300)),
);

/** A value of a JSON Schema's type, or of another type (a wrong one). */
function valueFor(schema: Json | undefined): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.jsonValue(),
  );
  if (!schema) return wrong;
  const type = schema.type as string | undefined;
  const right =
    type === 'string'
      ? fc.oneof(fc.string({ maxLength: 30 }), fc.constant('\u0000'), fc.constant('x'.repeat(5000)))
      : type === 'integer'
        ? fc.oneof(fc.integer({ min: -10, max: 1000 }), fc.constant(2 ** 53))
        : type === 'number'
          ? fc.oneof(fc.double({ noNaN: true, min: -10, max: 1e6 }), fc.constant(0.1))
          : type === 'boolean'
            ? fc.boolean()
            : wrong;
  return fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

/** A request body for a submit operation: inputs near the schema, with fields missing, wrong or extra. */
function bodyFor(operation: Json): fc.Arbitrary<string | undefined> {
  const schema = (
    (operation.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined
  )?.['application/json']?.schema;
  const inputSchema = (schema?.properties as Record<string, Json> | undefined)?.input;
  const fields = Object.entries((inputSchema?.properties as Record<string, Json> | undefined) ?? {});
  const input = fc
    .record(Object.fromEntries(fields.map(([name, s]) => [name, valueFor(s)])), { requiredKeys: [] })
    .chain((base) =>
      fc.oneof(
        fc.constant(base),
        fc
          .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 })
          .map((extra) => ({ ...base, ...extra })),
      ),
    );
  return fc.oneof(
    { weight: 6, arbitrary: input.map((i) => JSON.stringify({ input: i })) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', '{"input":', 'null', '[]', '"x"', '{"input":{},"cmd":"rm"}'),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/**
 * Requests for every operation of an OpenAPI document (see lib/http/openapi.ts): its path with each
 * `{param}` a valid id or odd text, its query parameters given, empty or odd, an Idempotency-Key
 * sometimes, and for submits a body near the task's input schema (or not JSON at all) under a
 * content type that is sometimes not JSON.
 */
export function requestsFor(document: Json): fc.Arbitrary<FuzzRequest> {
  const paths = document.paths as Record<string, Record<string, Json>>;
  const operations = Object.entries(paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      template,
      method: method.toUpperCase(),
      operation,
    })),
  );
  return fc.constantFrom(...operations).chain(({ template, method, operation }) => {
    const segments = (template.match(/\{[^}]+\}/g) ?? []).map(() =>
      fc.oneof({ weight: 2, arbitrary: fc.constant(UUID) }, { weight: 1, arbitrary: oddText }),
    );
    const query = ((operation.parameters as Json[] | undefined) ?? [])
      .filter((p) => p.in === 'query')
      .map((p) =>
        fc.option(
          oddText.map((value) => [String(p.name), value] as const),
          { nil: undefined },
        ),
      );
    return fc
      .record({
        segments: fc.tuple(...segments),
        query: fc.tuple(...query),
        // A header value is bytes: a client cannot send characters beyond Latin-1 in one.
        idempotencyKey: fc.option(
          oddText.filter((key) => /^[\x20-\x7e]*$/.test(key)),
          { nil: undefined },
        ),
        contentType: fc.constantFrom(
          'application/json',
          'application/json',
          'text/plain',
          'application/json; charset=latin1',
        ),
        body: method === 'POST' ? bodyFor(operation) : fc.constant(undefined),
      })
      .map(({ segments: values, query: pairs, idempotencyKey, contentType, body }) => {
        let i = 0;
        const path = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++] as string));
        const search = new URLSearchParams();
        for (const pair of pairs) if (pair) search.append(pair[0], pair[1]);
        // Never wait long: a fuzzer that holds a connection for 25 s learns nothing more.
        if (search.has('wait')) search.set('wait', search.get('wait')!.slice(0, 1));
        const headers: Record<string, string> = {};
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        if (body !== undefined) headers['content-type'] = contentType;
        return { method, path: `${path}${search.size ? `?${search}` : ''}`, headers, body };
      });
  });
}
