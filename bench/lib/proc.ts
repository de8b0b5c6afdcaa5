import { readdir, readFile, readlink } from 'node:fs/promises';

/** The pid of the process listening on 127.0.0.1/0.0.0.0:port (from /proc/net/tcp*), if any. */
export async function pidListeningOn(port: number): Promise<number | undefined> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ip:port; state 0A is LISTEN
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) return Number(entry);
    }
  }
  return undefined;
}

/** Resident set size of a process in MB (VmRSS). */
export async function rssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return Number.isFinite(kb) && kb > 0 ? Math.round(kb / 102.4) / 10 : null;
}

const TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used, in ms: its own user + system time and that of the children it has
 * waited for (so a consumer's figure includes its finished task processes). From /proc/<pid>/stat.
 */
export async function cpuMs(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces) start at field 3, the state.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].map((i) => Number(fields[i]));
  if (ticks.some((t) => !Number.isFinite(t))) return null;
  return (ticks.reduce((a, b) => a + b, 0) * 1000) / TICKS_PER_SECOND;
}

/** The pids of a process's children (from each process's parent pid in /proc/<pid>/stat). */
export async function childPids(parent: number | undefined): Promise<number[]> {
  if (!parent) return [];
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === parent) children.push(Number(entry));
  }
  return children;
}

/** CPU ms of a group of processes (null if none of them could be read). */
async function groupCpuMs(pids: (number | undefined)[]): Promise<number | null> {
  const each = await Promise.all(pids.map(cpuMs));
  const read = each.filter((ms): ms is number => ms !== null);
  return read.length > 0 ? read.reduce((a, b) => a + b, 0) : null;
}

/** CPU ms each named group of processes used while `work` ran. */
export async function cpuDuring<T>(
  pids: Record<string, (number | undefined)[]>,
  work: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const names = Object.keys(pids);
  const before = await Promise.all(names.map((name) => groupCpuMs(pids[name]!)));
  const self = process.cpuUsage();
  const result = await work();
  const after = await Promise.all(names.map((name) => groupCpuMs(pids[name]!)));
  const used = process.cpuUsage(self);
  const cpu: Record<string, number> = { client: Math.round((used.user + used.system) / 1000) };
  names.forEach((name, i) => {
    if (before[i] !== null && after[i] !== null) cpu[name] = Math.round(after[i]! - before[i]!);
  });
  return { result, cpuMs: cpu };
}

/** A process and all its descendants (from /proc), the root first. */
export async function processTree(root: number | undefined): Promise<number[]> {
  if (!root) return [];
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (stat) parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** The command line of a process, for telling the parts of a tree apart. */
export async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}

/**
 * Proportional set size of a process in MB (Pss of /proc/<pid>/smaps_rollup): its resident pages,
 * each page shared with other processes counted as its share. Summed over a process tree it is what
 * the tree costs the machine; a sum of RSS counts the pages its processes share (the Node binary's
 * code, mapped by each Node process) once per process.
 */
export async function pssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1]);
  return Number.isFinite(kb) && kb > 0 ? Math.round(kb / 102.4) / 10 : null;
}

/**
 * Memory of every process of a tree: the sum of RSS (as `ps` shows each), the sum of PSS, and RSS
 * by part (`name` names a process's part from its command line).
 */
export async function treeMemoryMb(
  root: number | undefined,
  name: (command: string) => string,
): Promise<{ totalMb: number; pssMb: number; parts: Record<string, number> }> {
  const parts: Record<string, number> = {};
  let total = 0;
  let pss = 0;
  for (const pid of await processTree(root)) {
    const mb = await rssMb(pid);
    if (mb === null) continue;
    const part = mb < 5 ? 'other' : name(await commandOf(pid));
    parts[part] = Math.round(((parts[part] ?? 0) + mb) * 10) / 10;
    total += mb;
    pss += (await pssMb(pid)) ?? 0;
  }
  return { totalMb: Math.round(total), pssMb: Math.round(pss), parts };
}
