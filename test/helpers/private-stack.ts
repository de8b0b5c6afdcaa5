import path from 'node:path';
import { startLocalStack } from '../../lib/local/local-stack';
import type { LocalStack, LocalStackOptions } from '../../lib/local/local-stack';
import { freePort } from '../../lib/local/ports';
import { silentLogger, tempDir } from './services';

const projectDir = path.resolve(__dirname, '..', '..');

/**
 * A whole local stack on ports of its own, with a job store in a fresh temporary directory, its
 * output dropped; `stop` stops it and removes the directory.
 */
export async function startPrivateStack(
  options: Partial<Omit<LocalStackOptions, 'projectDir' | 'logger'>> = {},
): Promise<{ stack: LocalStack; stop(): Promise<void> }> {
  const temp = await tempDir('spawn-queue-stack-');
  try {
    const stack = await startLocalStack({
      projectDir,
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      elasticMqPort: await freePort(),
      jobStoreDir: path.join(temp.dir, 'store'),
      offlineOutput: () => undefined,
      logger: silentLogger,
      ...options,
    });
    return {
      stack,
      async stop() {
        await stack.stop();
        await temp.cleanup();
      },
    };
  } catch (error) {
    await temp.cleanup();
    throw error;
  }
}
