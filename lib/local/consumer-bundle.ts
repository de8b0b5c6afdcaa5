import path from 'node:path';
import { build } from 'esbuild';
import type { Loader } from 'esbuild';
import { StackError } from './stack-errors';

/** serverless-esbuild's settings as serverless.yml states them (custom.esbuild). */
export interface BundleSettings {
  target?: string;
  sourcemap?: boolean;
  loader?: Record<string, string>;
}

/**
 * Bundles the consumer host and the consumer's handler the way serverless-esbuild bundles the
 * functions (one CommonJS file each, for Node), so the consumer runs on plain Node: no TypeScript
 * loader in its process, which keeps it small and its spawns cheap (a fork copies the parent's page
 * tables, so every task start costs more in a larger process).
 */
export async function bundleConsumer(options: {
  projectDir: string;
  /** `handlers/sqs/run-jobs.handler` */
  handler: string;
  settings?: BundleSettings;
}): Promise<{ hostFile: string; handlerFile: string }> {
  const outDir = path.join(options.projectDir, '.cache', 'consumer');
  const handlerModule = options.handler.slice(0, options.handler.lastIndexOf('.'));
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: options.settings?.target ?? 'node20',
    sourcemap: options.settings?.sourcemap ?? true,
    loader: options.settings?.loader as Record<string, Loader> | undefined,
    logLevel: 'silent' as const,
  };
  const hostFile = path.join(outDir, 'consumer-host.js');
  const handlerFile = path.join(outDir, `${path.basename(handlerModule)}.js`);
  try {
    await Promise.all([
      build({ ...common, entryPoints: [path.join(__dirname, 'consumer-host.ts')], outfile: hostFile }),
      build({
        ...common,
        entryPoints: [path.join(options.projectDir, `${handlerModule}.ts`)],
        outfile: handlerFile,
      }),
    ]);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new StackError(`the consumer ${options.handler} could not be bundled: ${reason}`, { cause });
  }
  return { hostFile, handlerFile };
}
