/** One read shared for a while, and what this process did since it, kept beside it. */
export interface SharedRead<T, S> {
  value: Promise<T>;
  /** What happened here since the read (the submits, the starts), until the next read. */
  since: S;
}

/**
 * A read that serves every caller for `ttlMs` (a burst shares one), with a fresh `since` for what
 * the callers add to it meanwhile; a read that fails is not kept, so the next caller reads again.
 */
export function sharedRead<T, S>(read: () => Promise<T>, ttlMs: number, since: () => S) {
  let current: (SharedRead<T, S> & { at: number }) | undefined;
  return {
    /** The read as of `now`: the shared one while it is fresh, otherwise a new one. */
    at(now = Date.now()): SharedRead<T, S> {
      if (current && now - current.at < ttlMs) return current;
      const entry = { at: now, value: read(), since: since() };
      current = entry;
      entry.value.catch(() => {
        if (current === entry) current = undefined;
      });
      return entry;
    },
    /** The read there is, fresh or not, without reading (undefined before the first). */
    latest: (): SharedRead<T, S> | undefined => current,
  };
}
