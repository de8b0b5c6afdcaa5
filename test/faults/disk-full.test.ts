import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSubmitJobHandler } from '../../lib/http/handlers/submit-job';
import { createSqliteJobStore } from '../../lib/store/sqlite-job-store';
import { apiEvent, bodyOf, context } from '../helpers/events';
import { unitServices } from '../helpers/services';

/**
 * Fault: the disk under the SQLite job store fills up. A small tmpfs stands in for the disk; mounting
 * one needs root (CAP_SYS_ADMIN), so without it this test is reported as skipped.
 */
const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'spawn-queue-full-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  rmSync(mountPoint, { recursive: true, force: true });
}
const itWithTmpfs = mounted ? it : it.skip;

afterAll(() => {
  if (!mounted) return;
  // A closed database's file handles go with its statements, when they are collected: detach lazily.
  execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  rmSync(mountPoint, { recursive: true, force: true });
});

async function fill(file: string): Promise<void> {
  try {
    await writeFile(file, Buffer.alloc(1024 * 1024, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

describe('a full disk under the job store', () => {
  itWithTmpfs(
    'answers submits 507 in the error shape, writes nothing, and works again once space is freed',
    async () => {
      const { services, cleanup } = await unitServices();
      const store = createSqliteJobStore({ dir: path.join(mountPoint, 'store') });
      const submit = createSubmitJobHandler({ ...services, store });
      const event = () =>
        apiEvent({ method: 'POST', pathParameters: { task: 'echo' }, body: { input: { text: 'x' } } });
      await expect(submit(event(), context)).resolves.toMatchObject({ statusCode: 202 });

      const filler = path.join(mountPoint, 'filler');
      await fill(filler);
      const full = await submit(event(), context);
      expect(full.statusCode).toBe(507);
      expect(bodyOf(full)).toEqual({
        error: { code: 'store_full', message: expect.stringContaining('no space left') },
      });
      // Nothing of the refused job: its transaction was rolled back whole.
      expect((await store.countByStatus()).queued).toBe(1);

      await rm(filler);
      await expect(submit(event(), context)).resolves.toMatchObject({ statusCode: 202 });
      expect((await store.countByStatus()).queued).toBe(2);
      await store.close();
      await cleanup();
    },
  );
});
