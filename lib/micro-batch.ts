/**
 * Gathers calls made at about the same time into batches of at most `maxSize` (SQS takes 10 entries
 * per batch call; SQLite commits a batch of writes as one transaction): a batch goes out when it is
 * full, or `windowMs` after its first call (0: on the next turn of the event loop), so a lone call
 * waits one tick (or the window) and a burst of concurrent calls costs one request per `maxSize`. A window is for calls nobody waits on (a delete
 * after a job's end): calls that come a few milliseconds apart share a request too.
 *
 * `flush` gets the items of one batch and returns one result per item, in order: an Error (that item
 * failed) or the item's result (what its call resolves to). A rejected flush fails every item of its
 * batch.
 */
export function createMicroBatcher<T, R = void>(
  flush: (items: T[]) => Promise<Array<R | Error>>,
  { maxSize = 10, windowMs = 0 }: { maxSize?: number; windowMs?: number } = {},
) {
  type Pending = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  /** Cancels the scheduled flush of `pending`, if one is scheduled. */
  let cancelFlush: (() => void) | undefined;

  function scheduleFlush(): () => void {
    if (windowMs <= 0) {
      const immediate = setImmediate(flushPending);
      return () => clearImmediate(immediate);
    }
    const timer = setTimeout(flushPending, windowMs);
    return () => clearTimeout(timer);
  }

  function send(batch: Pending[]): void {
    flush(batch.map((p) => p.item)).then(
      (results) =>
        batch.forEach((p, i) => {
          const result = results[i];
          if (result instanceof Error) p.reject(result);
          else p.resolve(result as R);
        }),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  function flushPending(): void {
    cancelFlush?.();
    cancelFlush = undefined;
    const batch = pending;
    pending = [];
    if (batch.length > 0) send(batch);
  }

  return function add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= maxSize) flushPending();
      else cancelFlush ??= scheduleFlush();
    });
  };
}
