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
 * Bundles every function of serverless.yml and the consumer host once, the way serverless-esbuild
 * bundles them for Lambda (one CommonJS file each, for Node), into a directory of the local stack's
 * own (`.cache/bundles`): packaging (`serverless package`, which rebuilds `.esbuild/`) never touches
 * what a running stack loads. One build for all of them, then esbuild's service process is stopped:
 * nothing is kept in memory for rebuilds (`npm run dev` rebuilds on edit instead).
 */
export async function bundleFunctions(options: {
  projectDir: string;
  /** Every function's handler, as serverless.yml names them. */
  handlers: string[];
  settings?: BundleSettings;
  outDir?: string;
}): Promise<Bundles> {
  const dir = options.outDir ?? path.join(options.projectDir, '.cache', 'bundles');
  const modules = [...new Set(options.handlers.map(moduleOf))];
  const host = path.join(__dirname, 'consumer-host.ts');
  try {
    await build({
      entryPoints: [...modules.map((m) => path.join(options.projectDir, `${m}.ts`)), host],
      outdir: dir,
      outbase: options.projectDir,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: options.settings?.target ?? 'node20',
      sourcemap: options.settings?.sourcemap ?? true,
      loader: options.settings?.loader as Record<string, Loader> | undefined,
      // Locally every function's bundle loads the AWS SDK from node_modules, so the functions that
      // serverless offline runs in one process, and the consumer's host and handler, share one copy
      // of it instead of one each (a deployed bundle carries its own, as Lambda needs).
      external: ['@aws-sdk/*', '@smithy/*'],
      logLevel: 'silent',
    });
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
