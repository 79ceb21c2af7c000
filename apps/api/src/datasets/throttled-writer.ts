// Writes a changing value (an import's progress) at most every `intervalMs` or every `everyUpdates` updates,
// whichever comes first, one write at a time and in order; a value left unwritten is written `intervalMs` after
// the last write at the latest, so a slow step does not leave an old state stored. flush() writes the latest now.
export class ThrottledWriter<T> {
  private latest: { value: T } | null = null;
  private updates = 0;
  private lastWriteAt = -Infinity; // the first value is written at once
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly write: (value: T) => Promise<void>,
    private readonly options: { intervalMs: number; everyUpdates: number },
  ) {}

  update(value: T): void {
    this.latest = { value };
    this.updates++;
    const since = performance.now() - this.lastWriteAt;
    if (this.updates >= this.options.everyUpdates || since >= this.options.intervalMs) this.writeLatest();
    else this.timer ??= setTimeout(() => this.writeLatest(), this.options.intervalMs - since);
  }

  /** Writes what is unwritten and waits for every write; throws the first write's error, if any failed. */
  async flush(): Promise<void> {
    this.writeLatest();
    await this.chain;
    if (this.failure) throw this.failure.error;
  }

  private writeLatest(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.latest) return;
    const { value } = this.latest;
    this.latest = null;
    this.updates = 0;
    this.lastWriteAt = performance.now();
    this.chain = this.chain.then(() =>
      this.failure ? undefined : this.write(value).catch((error: unknown) => void (this.failure = { error })),
    );
  }
}
