import { createRequire } from 'node:module';

/**
 * The kernel's fork events (the process connector, a netlink socket), so that a job's record can say
 * exactly how many processes it started, however short-lived: a cgroup only shows who is in it now,
 * and a sample every 200 ms misses a process that lives less. Only root may listen (CAP_NET_ADMIN),
 * which is where the cgroup containment runs too; elsewhere the count stays sampled.
 *
 * Node cannot open a netlink socket, so the socket is libc's, called through koffi: a foreign-function
 * interface shipped prebuilt per platform on the npm registry (nothing compiled at install, as the
 * SQLite binding). It is loaded here only, on first use, never by a deployed function.
 *
 * Each fork event names the new process and its parent. A tree is a root (the task) and every process
 * forked by one of its processes since; a fork whose parent is not known yet (the root's own first
 * forks, read before the spawner learnt its pid) is kept 2 s for the root to claim. Threads are not
 * processes: a clone within a process (its thread group) is not counted. The socket is drained
 * without blocking every 50 ms and before a count is read; if the kernel dropped events (a full
 * receive buffer: ENOBUFS), the trees alive then answer `complete: false`.
 */

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const NLMSG_DONE = 3;
const PROC_CN_MCAST_LISTEN = 1;
const PROC_EVENT_FORK = 0x1;
const PROC_EVENT_EXIT = 0x80000000;
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const ENOBUFS = 105;
const RECEIVE_BUFFER_BYTES = 8 << 20;
const DRAIN_MS = 50;
const UNCLAIMED_MS = 2_000;

/** Offsets in a message: nlmsghdr (16 bytes), cn_msg (20), then proc_event. */
const EVENT = 36;
const DATA = EVENT + 16;

/** What a tree started, read once its processes are gone. */
export interface TreeCount {
  /** Processes started in the tree, its root included. */
  processes: number;
  /** False when the kernel dropped events while the tree was alive (the count is then a floor). */
  complete: boolean;
}

export interface ProcessTree {
  /** Stops counting (the tree's processes are gone) and answers what it counted. */
  stop(): TreeCount;
}

export interface ForkEvents {
  /** Counts the processes `rootPid` and its descendants start from now (and the 2 s before). */
  track(rootPid: number): ProcessTree;
  close(): void;
}

interface Libc {
  errno(): number;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Buffer, length: number): number;
  send(fd: number, buffer: Buffer, length: number, flags: number): number;
  recv(fd: number, buffer: Buffer, length: number, flags: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, length: number): number;
  close(fd: number): number;
}

interface Koffi {
  load(name: string): { func(signature: string): (...args: unknown[]) => number };
  errno(): number;
}

function loadLibc(): Libc {
  const koffi = createRequire(__filename)('koffi') as Koffi;
  const libc = koffi.load('libc.so.6');
  const fn = <T>(signature: string) => libc.func(signature) as unknown as T;
  return {
    errno: () => koffi.errno(),
    socket: fn('int socket(int, int, int)'),
    bind: fn('int bind(int, const void *addr, uint32_t len)'),
    send: fn('intptr_t send(int, const void *buf, uintptr_t len, int flags)'),
    recv: fn('intptr_t recv(int, _Out_ void *buf, uintptr_t len, int flags)'),
    setsockopt: fn('int setsockopt(int, int, int, const void *val, uint32_t len)'),
    close: fn('int close(int)'),
  };
}

/** A listening socket, or why there is none (not root, no koffi for this platform, no connector). */
export function openForkEvents(): { ok: true; events: ForkEvents } | { ok: false; reason: string } {
  let libc: Libc;
  try {
    libc = loadLibc();
  } catch (error) {
    return {
      ok: false,
      reason: `no foreign-function interface here (${(error as Error).message.split('\n')[0]})`,
    };
  }
  const fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return { ok: false, reason: `no process connector (errno ${libc.errno()})` };
  const address = Buffer.alloc(12);
  address.writeUInt16LE(AF_NETLINK, 0);
  address.writeUInt32LE(CN_IDX_PROC, 8);
  const size = Buffer.alloc(4);
  size.writeInt32LE(RECEIVE_BUFFER_BYTES);
  const listen = Buffer.alloc(16 + 20 + 4);
  listen.writeUInt32LE(listen.length, 0);
  listen.writeUInt16LE(NLMSG_DONE, 4);
  listen.writeUInt32LE(process.pid, 12);
  listen.writeUInt32LE(CN_IDX_PROC, 16);
  listen.writeUInt32LE(CN_VAL_PROC, 20);
  listen.writeUInt16LE(4, 32);
  listen.writeUInt32LE(PROC_CN_MCAST_LISTEN, 36);
  if (
    libc.bind(fd, address, address.length) < 0 ||
    libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, size.length) < 0 ||
    libc.send(fd, listen, listen.length, 0) < 0
  ) {
    const errno = libc.errno();
    libc.close(fd);
    return { ok: false, reason: `cannot listen to fork events (errno ${errno}: needs root)` };
  }
  return { ok: true, events: forkEventsOn(libc, fd) };
}

interface Tree {
  count: number;
  complete: boolean;
}

function forkEventsOn(libc: Libc, fd: number): ForkEvents {
  const owner = new Map<number, Tree>();
  const trees = new Set<Tree>();
  /** Forks whose parent no tree held yet: parent → children, and when they were read. */
  let unclaimed = new Map<number, number[]>();
  let older = new Map<number, number[]>();
  const message = Buffer.alloc(4096);
  let closed = false;

  function adopt(tree: Tree, parent: number): void {
    for (const map of [older, unclaimed]) {
      const children = map.get(parent);
      if (!children) continue;
      map.delete(parent);
      for (const child of children) {
        owner.set(child, tree);
        tree.count += 1;
        adopt(tree, child);
      }
    }
  }

  function drain(): void {
    while (!closed) {
      const length = libc.recv(fd, message, message.length, MSG_DONTWAIT);
      if (length < 0) {
        if (libc.errno() === ENOBUFS) {
          for (const tree of trees) tree.complete = false;
          continue;
        }
        // Anything else: this pass stops; what it missed makes the trees' counts floors.
        if (libc.errno() !== EAGAIN) for (const tree of trees) tree.complete = false;
        return;
      }
      if (length < DATA + 16) continue;
      const what = message.readUInt32LE(EVENT);
      if (what === PROC_EVENT_FORK) {
        const parent = message.readUInt32LE(DATA + 4);
        const child = message.readUInt32LE(DATA + 8);
        // A thread of the parent's process, not a process.
        if (child !== message.readUInt32LE(DATA + 12)) continue;
        const tree = owner.get(parent);
        if (tree) {
          owner.set(child, tree);
          tree.count += 1;
        } else {
          const children = unclaimed.get(parent) ?? [];
          children.push(child);
          unclaimed.set(parent, children);
        }
      } else if (what === PROC_EVENT_EXIT) {
        const pid = message.readUInt32LE(DATA);
        if (pid !== message.readUInt32LE(DATA + 4)) continue; // a thread ended
        owner.delete(pid);
        unclaimed.delete(pid);
        older.delete(pid);
      }
    }
  }

  const timer = setInterval(drain, DRAIN_MS);
  timer.unref();
  // What no tree claimed within 2 s is forgotten.
  const ager = setInterval(() => {
    older = unclaimed;
    unclaimed = new Map();
  }, UNCLAIMED_MS);
  ager.unref();

  return {
    track(rootPid) {
      drain();
      const tree: Tree = { count: 1, complete: true };
      trees.add(tree);
      owner.set(rootPid, tree);
      adopt(tree, rootPid);
      return {
        stop() {
          drain();
          trees.delete(tree);
          for (const [pid, held] of owner) if (held === tree) owner.delete(pid);
          return { processes: tree.count, complete: tree.complete };
        },
      };
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(ager);
      libc.close(fd);
    },
  };
}
