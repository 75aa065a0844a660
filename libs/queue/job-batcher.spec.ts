import { JobBatcher } from './job-batcher';

const fulfilled = <T>(value: T): PromiseSettledResult<T> => ({ status: 'fulfilled', value });

describe('JobBatcher', () => {
  it('runs items that arrive while a batch runs together in the next one, up to maxSize', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const firstRunning = new Promise<void>((resolve) => (release = resolve));
    const batcher = new JobBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await firstRunning;
        return items.map((item) => fulfilled(item * 10));
      },
      { maxSize: 3, maxInFlight: 1 },
    );
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4, 5].map((item) => batcher.add(item));
    release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('runs at most maxInFlight batches at once', async () => {
    let running = 0;
    let most = 0;
    const batcher = new JobBatcher<number, number>(
      async (items) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return items.map(fulfilled);
      },
      { maxSize: 2, maxInFlight: 2 },
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.add(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(2);
  });

  it('answers each item with its own outcome, and rejects the whole batch when the run throws', async () => {
    const perItem = new JobBatcher<number, number>(
      async (items) => items.map((item) => (item % 2 ? fulfilled(item) : { status: 'rejected', reason: new Error(`even ${item}`) })),
      { maxSize: 10, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((item) => perItem.add(item)));
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);

    const failing = new JobBatcher<number, number>(
      async () => {
        throw new Error('database gone');
      },
      { maxSize: 10, maxInFlight: 1 },
    );
    const all = await Promise.allSettled([1, 2].map((item) => failing.add(item)));
    expect(all).toEqual([
      { status: 'rejected', reason: new Error('database gone') },
      { status: 'rejected', reason: new Error('database gone') },
    ]);
  });

  it('refuses a run that answers fewer items than it was given', async () => {
    const short = new JobBatcher<number, number>(async () => [fulfilled(1)], { maxSize: 10, maxInFlight: 1 });
    await expect(Promise.all([short.add(1), short.add(2)])).rejects.toThrow('A batch of 2 was answered with 1 results');
  });
});
