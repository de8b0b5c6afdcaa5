/**
 * Gathers calls made at about the same time into batches of at most `maxSize` (SQS takes 10 entries
 * per batch call): a batch goes out when it is full or on the next turn of the event loop, so a lone
 * call waits one tick and a burst of concurrent calls costs one request per `maxSize`.
 *
 * `flush` gets the items of one batch and returns one result per item, in order: an Error (that item
 * failed) or anything else (it succeeded). A rejected flush fails every item of its batch.
 */
export function createMicroBatcher<T>(
  flush: (items: T[]) => Promise<Array<Error | unknown>>,
  { maxSize = 10 }: { maxSize?: number } = {},
) {
  type Pending = { item: T; resolve: () => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  let scheduled = false;

  function send(batch: Pending[]): void {
    flush(batch.map((p) => p.item)).then(
      (results) =>
        batch.forEach((p, i) => (results[i] instanceof Error ? p.reject(results[i]) : p.resolve())),
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }

  function flushPending(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length > 0) send(batch);
  }

  return function add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= maxSize) flushPending();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flushPending);
      }
    });
  };
}
