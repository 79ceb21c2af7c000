// One dedicated PostgreSQL connection that LISTENs on a channel and hands every notification's payload on. A
// LISTEN belongs to its session, so it cannot live in the pool; when the connection drops (server restart,
// network, a terminated backend) it reconnects with backoff and reports `onReconnect`, since notifications sent
// meanwhile are lost and listeners may want to re-read current state.
import pg from 'pg';

export interface PgListenerOptions {
  connectionString: string;
  channel: string;
  onPayload: (payload: string) => void;
  /** Called after a reconnect (not after the first connect). */
  onReconnect?: () => void;
  log: (message: string) => void;
  /** First and longest wait between reconnect attempts. */
  retryMs?: { min: number; max: number };
}

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private delay: number;
  /** Times the connection was established again after dropping (for tests and health). */
  reconnects = 0;

  constructor(private readonly options: PgListenerOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
      throw new Error(`Channel "${options.channel}" is not a plain lowercase PostgreSQL identifier.`);
    }
    this.delay = options.retryMs?.min ?? 250;
  }

  /** Connects and LISTENs; rejects when the first attempt fails (start-up should report it). */
  async start(): Promise<void> {
    await this.connect();
  }

  /** The backend pid of the listening session, null while disconnected. */
  get backendPid(): number | null {
    return (this.client as (pg.Client & { processID?: number }) | null)?.processID ?? null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString });
    let dropped = false;
    const drop = (why: string) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.options.log(`Progress listener lost its PostgreSQL connection (${why}); reconnecting.`);
        this.scheduleReconnect();
      }
    };
    client.on('error', (error) => drop(error.message));
    client.on('end', () => drop('connection ended'));
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) {
        this.options.onPayload(message.payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (error) {
      dropped = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = this.options.retryMs?.min ?? 250;
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => {
          if (this.stopped) return;
          this.reconnects++;
          this.options.log('Progress listener reconnected.');
          this.options.onReconnect?.();
        },
        (error: Error) => {
          this.options.log(`Progress listener could not reconnect: ${error.message}`);
          this.delay = Math.min(this.delay * 2, this.options.retryMs?.max ?? 5_000);
          this.scheduleReconnect();
        },
      );
    }, this.delay);
    this.retryTimer.unref();
  }
}
