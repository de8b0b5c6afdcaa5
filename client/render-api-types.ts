import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../lib/http/openapi';
import { createCatalogue } from '../lib/tasks/catalogue';

const HEADER = `/**
 * The API's types, generated from its OpenAPI document by openapi-typescript: do not edit, run
 * \`npm run openapi:types\` (a test fails when this file is out of date).
 */
`;

/** The text of client/api-types.ts for the document of this checkout (its catalogue). */
export async function renderApiTypes(): Promise<string> {
  // A fixed version: the types do not change with a release.
  const document = openApiDocument({ catalogue: createCatalogue(), version: '0.0.0' });
  const ast = await openapiTS(document as never, { alphabetize: true });
  return HEADER + astToString(ast);
}
