import type { Logger } from '../../logger';
import type { OutputChunk } from '../../process/run-process';
import type { JobStore } from '../job-store';

/**
 * Writes a running attempt's output pieces to the store as the runner hands them on, one write at a
 * time and in order (at most two pieces a second per stream come, so none waits long). A write that
 * fails is logged and skipped: live output is a view, the finished record keeps the whole output.
 * `settled` resolves once every write has ended, so the job's end is written after its pieces.
 */
export function liveOutputWriter(
  store: Pick<JobStore, 'appendOutput'>,
  jobId: string,
  attempt: number,
  logger: Logger,
) {
  let chain: Promise<void> = Promise.resolve();
  let warned = false;
  return {
    write(chunk: OutputChunk): void {
      chain = chain.then(() =>
        store.appendOutput(jobId, attempt, chunk).catch((error: unknown) => {
          if (warned) return;
          warned = true;
          logger.warn({ event: 'output-unwritten', err: error }, 'could not store live output');
        }),
      );
    },
    settled: (): Promise<void> => chain,
  };
}
