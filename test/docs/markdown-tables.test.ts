import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const files = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => path.join('docs', f))].filter(
  (f) => f.endsWith('.md'),
);

/** The cells of a table row: split on pipes that are neither escaped nor inside `code`. */
function cells(line: string): number {
  let count = 0;
  let inCode = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === '`') inCode = !inCode;
    else if (c === '|' && !inCode && line[i - 1] !== '\\') count += 1;
  }
  return count - 1;
}

/**
 * Every table renders as one table: it starts with a header and a separator row, and each row has
 * the header's cells. (A blank line inside a table cuts it: the rows after it are loose text.)
 */
describe.each(files)('%s', (file) => {
  it('has only tables that render whole', () => {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const problems: string[] = [];
    let inFence = false;
    let header = 0;
    for (const [i, line] of lines.entries()) {
      if (line.startsWith('```')) inFence = !inFence;
      if (inFence || !line.startsWith('|')) {
        header = 0;
        continue;
      }
      if (header === 0) {
        header = cells(line);
        if (!/^\|\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
          problems.push(`line ${i + 1}: a table row without a header and separator above it`);
        }
      } else if (cells(line) !== header) {
        problems.push(`line ${i + 1}: ${cells(line)} cells, the header has ${header}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
