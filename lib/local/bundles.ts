import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, stop } from 'esbuild';
import type { Loader } from 'esbuild';
import { StackError } from './stack-errors';

/** serverless-esbuild's settings as serverless.yml states them (custom.esbuild). */
export interface BundleSettings {
  target?: string;
  sourcemap?: boolean;
  loader?: Record<string, string>;
}

export interface Bundles {
  /** Where the bundles are: `<dir>/handlers/http/get-job.js` for `handlers/http/get-job.handler`. */
  dir: string;
  /** The bundle of a handler as serverless.yml names it (`handlers/sqs/run-jobs.handler`). */
  handlerFile(handler: string): string;
  /** The consumer host's program (lib/local/consumer-host.ts). */
  hostFile: string;
}

const moduleOf = (handler: string) => handler.slice(0, handler.lastIndexOf('.'));

/**
 * Locally every bundle loads the AWS SDK from node_modules, so the functions that serverless offline
 * runs in one process, and the consumer's host and handler, share one copy of it instead of one each
 * (a deployed bundle carries its own, as Lambda needs).
 */
const EXTERNAL = ['@aws-sdk/*', '@smithy/*', 'libsql', 'koffi'];

/**
 * What an ES module bundle needs of CommonJS: `require` for the packages it loads at run time (the
 * SQLite store loads libsql on first use, and libsql picks its native package by platform).
 */
const ESM_BANNER =
  "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

/**
 * Bundles every function of serverless.yml and the consumer host once, into a directory of the local
 * stack's own (`.cache/bundles`): packaging (`serverless package`, which rebuilds `.esbuild/`) never
 * touches what a running stack loads. One build, then esbuild's service process is stopped: nothing
 * is kept in memory for rebuilds (`npm run dev` rebuilds on edit instead).
 *
 * - The HTTP functions, which serverless offline runs together in its one process, are ES modules
 *   with their shared code split into chunks: each function's file holds only its own handler, and
 *   the code they share (the services, the store, the middlewares) is loaded and compiled once
 *   instead of once per function, one SQLite connection and one SQS client for all of them. A
 *   `package.json` beside them says they are ES modules, so serverless offline's loader stops its
 *   search for one there instead of reading the project's on every invocation.
 * - The consumer's handler and its host are CommonJS files of their own, as serverless-esbuild
 *   bundles a function for Lambda.
 */
export async function bundleFunctions(options: {
  projectDir: string;
  /** The handlers serverless offline runs in its process, as serverless.yml names them. */
  httpHandlers: string[];
  /** The SQS-triggered functions' handlers (run by the consumer's host). */
  consumerHandlers: string[];
  settings?: BundleSettings;
  outDir?: string;
}): Promise<Bundles> {
  const dir = options.outDir ?? path.join(options.projectDir, '.cache', 'bundles');
  const entry = (module: string) => path.join(options.projectDir, `${module}.ts`);
  const httpModules = [...new Set(options.httpHandlers.map(moduleOf))];
  const host = path.join(options.projectDir, 'lib', 'local', 'consumer-host.ts');
  const common = {
    outdir: dir,
    outbase: options.projectDir,
    bundle: true,
    platform: 'node',
    target: options.settings?.target ?? 'node20',
    sourcemap: options.settings?.sourcemap ?? false,
    loader: options.settings?.loader as Record<string, Loader> | undefined,
    external: EXTERNAL,
    logLevel: 'silent',
  } as const;
  try {
    // A fresh directory: chunks are named by hash, and a function removed from serverless.yml goes too.
    await rm(dir, { recursive: true, force: true });
    await Promise.all([
      build({
        ...common,
        entryPoints: [...options.consumerHandlers.map((h) => entry(moduleOf(h))), host],
        format: 'cjs',
      }),
      build({
        ...common,
        entryPoints: httpModules.map(entry),
        format: 'esm',
        splitting: true,
        chunkNames: 'chunks/[name]-[hash]',
        banner: { js: ESM_BANNER },
      }),
    ]);
    const moduleDirs = new Set([...httpModules.map((m) => path.dirname(m)), 'chunks']);
    await Promise.all(
      [...moduleDirs].map((d) => writeFile(path.join(dir, d, 'package.json'), '{ "type": "module" }\n')),
    );
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new StackError(`the functions could not be bundled: ${reason}`, { cause });
  } finally {
    await stop();
  }
  return {
    dir,
    handlerFile: (handler) => path.join(dir, `${moduleOf(handler)}.js`),
    hostFile: path.join(dir, path.relative(options.projectDir, host).replace(/\.ts$/, '.js')),
  };
}
