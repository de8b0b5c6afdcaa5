import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { functionShapes } from '../helpers/code-shape';

/**
 * The house rules a reader relies on, checked on every file of lib/: no room is a hall (a file over
 * 450 lines, a function over 100 lines of its own), the job's domain (lib/jobs) depends on no store
 * adapter, and the consumer writes nothing to the store (every decision and write about a job is the
 * domain's, lib/jobs/attempt; the consumer maps outcomes to SQS).
 */
const root = path.join(__dirname, '..', '..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(relative);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

const lib = sourcesUnder('lib');
const text = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('the house rules of lib/', () => {
  it('has no file over 450 lines', () => {
    const long = lib
      .map((file) => ({ file, lines: text(file).split('\n').length }))
      .filter(({ lines }) => lines > 450);
    expect(long).toEqual([]);
  });

  it('has no function over 100 lines of its own (its nested functions not counted)', () => {
    const long = lib
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        functionShapes(path.join(root, file))
          .filter((shape) => shape.ownLines > 100)
          .map((shape) => `${file}:${shape.line} ${shape.name} (${shape.ownLines})`),
      );
    expect(long).toEqual([]);
  });

  it('keeps the job domain free of store adapters: nothing in lib/jobs imports lib/store', () => {
    const reaching = lib
      .filter((file) => file.startsWith(path.join('lib', 'jobs')))
      .filter((file) => /from '(\.\.\/)+store\//.test(text(file)));
    expect(reaching).toEqual([]);
  });

  it('keeps the consumer to SQS: nothing in lib/consumer calls a write of the store', () => {
    const writes =
      /\bstore\.(create|transition|setCallback|remove|pruneFinished|claim|updateClaim|requestCancel|appendOutput|writeMeta)\(/;
    const writing = lib
      .filter((file) => file.startsWith(path.join('lib', 'consumer')))
      .filter((file) => writes.test(text(file)));
    expect(writing).toEqual([]);
  });
});
