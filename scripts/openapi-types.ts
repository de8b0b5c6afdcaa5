/**
 * `npm run openapi:types`: writes client/api-types.ts, the TypeScript types of the API, from the
 * OpenAPI document the service serves (lib/http/openapi.ts), with openapi-typescript. The client
 * takes its types from there, never hand-copied. `--check` only says whether the file is current
 * (exit 1 if not): a test runs it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderApiTypes } from '../client/render-api-types';

async function main(): Promise<void> {
  const file = path.join(__dirname, '..', 'client', 'api-types.ts');
  const rendered = await renderApiTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== rendered) {
      console.error(
        'client/api-types.ts is out of date with the OpenAPI document: run npm run openapi:types',
      );
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(file, rendered);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}

void main();
