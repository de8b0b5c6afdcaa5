import { createMicroBatcher } from '../../lib/micro-batch';

describe('createMicroBatcher', () => {
  /** A batcher whose flushes are recorded; every item succeeds unless it is 'bad'. */
  function recording(options?: { maxSize?: number; windowMs?: number }) {
    const batches: string[][] = [];
    const add = createMicroBatcher<string>(async (items) => {
      batches.push(items);
      return items.map((item) => (item === 'bad' ? new Error(`refused ${item}`) : undefined));
    }, options);
    return { add, batches };
  }

  it('sends the calls of one turn of the event loop as one batch', async () => {
    const { add, batches } = recording();
    await Promise.all(['a', 'b', 'c'].map(add));
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('sends a full batch at once and the rest in the next', async () => {
    const { add, batches } = recording({ maxSize: 2 });
    await Promise.all(['a', 'b', 'c'].map(add));
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('fails only the item its batch refused', async () => {
    const { add } = recording();
    const results = await Promise.allSettled(['a', 'bad'].map(add));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('with a window, gathers calls that come apart within it into one batch', async () => {
    const { add, batches } = recording({ windowMs: 100 });
    const first = add('a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = add('b');
    expect(batches).toEqual([]);
    await Promise.all([first, second]);
    expect(batches).toEqual([['a', 'b']]);
    // A call after the flush starts a window of its own.
    await add('c');
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('with a window, still sends a full batch at once', async () => {
    const { add, batches } = recording({ maxSize: 2, windowMs: 60_000 });
    await Promise.all(['a', 'b'].map(add));
    expect(batches).toEqual([['a', 'b']]);
  });
});
