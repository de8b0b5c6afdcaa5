/**
 * Runs one of the project's TypeScript programs as built JavaScript: its own modules bundled into one
 * file with esbuild (its packages left to node_modules), so the process carries no TypeScript
 * compiler at run time (`npm start`'s own process, idle: 53 MB PSS with tsx compiling it, 49 built).
 * The bundle is made again at every launch (a few hundred milliseconds), so it is never stale, and
 * put in place by a rename, so launches at once never read each other's half-written file.
 *
 *   node scripts/launch.js scripts/start.ts [args...]
 */
const { mkdirSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { buildSync } = require('esbuild');

const projectDir = path.resolve(__dirname, '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/launch.js <program.ts> [args...]');
  process.exit(2);
}
const source = path.resolve(projectDir, entry);
const outfile = path.join(
  projectDir,
  '.cache',
  'built',
  path.relative(projectDir, source).replace(/\.ts$/, '.js'),
);
const [built] = buildSync({
  entryPoints: [source],
  outfile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // The program's own directory, as it would see it unbundled (the project's modules take paths from
  // the project's directory, never from their own).
  define: { __dirname: JSON.stringify(path.dirname(source)) },
  loader: { '.html': 'text' },
  logLevel: 'warning',
}).outputFiles;
mkdirSync(path.dirname(outfile), { recursive: true });
const written = `${outfile}.${process.pid}.tmp`;
writeFileSync(written, built.contents);
renameSync(written, outfile);
process.argv = [process.argv[0], outfile, ...args];
require(outfile);
