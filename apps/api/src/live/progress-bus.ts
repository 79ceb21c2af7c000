// Live progress across processes: whoever does the work publishes an event with PostgreSQL NOTIFY (through the
// pool), and every API process receives all of them on its one LISTEN connection (pg-listener.ts) and fans them
// out to its subscribers (GraphQL subscriptions). So a replica sees the progress of work done in any process.
import type pg from 'pg';
import { decodeProgressEvent, encodeProgressEvent, type ProgressEvent } from './progress-event.js';
import { PgListener } from './pg-listener.js';

export class ProgressBus {
  private readonly subscribers = new Set<(event: ProgressEvent) => void>();
  private readonly resyncs = new Set<() => void>();
  private readonly listener: PgListener;

  constructor(
    private readonly pool: pg.Pool,
    connectionString: string,
    private readonly channel: string,
    private readonly log: (message: string) => void,
  ) {
    this.listener = new PgListener({
      connectionString,
      channel,
      log,
      onPayload: (payload) => this.receive(payload),
      onReconnect: () => {
        for (const resync of [...this.resyncs]) resync();
      },
    });
  }

  /** Starts listening; events published before this resolves are not seen here. */
  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    this.subscribers.clear();
    this.resyncs.clear();
    return this.listener.stop();
  }

  /** The listening session's backend pid (tests drop it to check reconnection). */
  get listenerPid(): number | null {
    return this.listener.backendPid;
  }

  /** NOTIFYs every API process (this one included). Never throws: live progress must not fail the work. */
  publish(event: ProgressEvent): void {
    let payload: string;
    try {
      payload = encodeProgressEvent(event);
    } catch (error) {
      this.log(`Progress event not sent: ${(error as Error).message}`);
      return;
    }
    this.pool
      .query('SELECT pg_notify($1, $2)', [this.channel, payload])
      .catch((error: Error) => this.log(`Progress event not sent: ${error.message}`));
  }

  /** Calls `listener` with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ProgressEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Calls `resync` after the LISTEN connection was re-established (events may have been missed meanwhile). */
  onResync(resync: () => void): () => void {
    this.resyncs.add(resync);
    return () => this.resyncs.delete(resync);
  }

  private receive(payload: string): void {
    const event = decodeProgressEvent(payload);
    if (!event) {
      this.log(`Ignored a malformed progress notification on ${this.channel}.`);
      return;
    }
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber(event);
      } catch (error) {
        this.log(`A progress subscriber failed: ${(error as Error).message}`);
      }
    }
  }
}
