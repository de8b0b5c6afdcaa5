import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** The accept-queue length the kernel reports for a listening TCP port (`ss`: Send-Q of a LISTEN socket). */
export async function listenBacklog(port: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ss', ['-ltnH', `sport = :${port}`]);
  const [, , sendQ] = stdout.trim().split(/\s+/);
  return Number(sendQ);
}

/** The longest accept queue a listen call gets on this machine (net.core.somaxconn). */
export async function kernelBacklogLimit(): Promise<number> {
  return Number(await readFile('/proc/sys/net/core/somaxconn', 'utf8'));
}
