/**
 * Runs items that arrive close together as one batch: group commit for queue jobs.
 * A BullMQ worker running many jobs at once hands each to `add`; while a batch is
 * running (at most `maxInFlight` at a time), new items wait and go together into the
 * next one, up to `maxSize`. An idle batcher starts a batch with whatever arrived in
 * the same turn of the event loop, so a lone job waits for no timer.
 *
 * `run` answers each item in order, fulfilled or rejected; a `run` that throws
 * rejects every item of its batch.
 */
export class JobBatcher<I, O> {
  private readonly waiting: Array<{ item: I; resolve: (value: O) => void; reject: (reason: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<PromiseSettledResult<O>>>,
    private readonly options: { maxSize: number; maxInFlight: number },
  ) {
    if (options.maxSize < 1 || options.maxInFlight < 1) throw new RangeError('maxSize and maxInFlight are at least 1');
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxSize);
      this.inFlight += 1;
      this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async runBatch(batch: JobBatcher<I, O>['waiting']): Promise<void> {
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      if (results.length !== batch.length) throw new Error(`A batch of ${batch.length} was answered with ${results.length} results`);
      results.forEach((result, i) => (result.status === 'fulfilled' ? batch[i].resolve(result.value) : batch[i].reject(result.reason)));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}
