// A small in-process cache of whole GraphQL responses for read-only gallery queries. Browsing sends the same few
// queries over and over; serving them from memory keeps the gallery fast under load. Every write this process
// makes (mutations, uploads, captions stored, evaluation and import progress, queue changes) bumps a version that
// invalidates all entries at once; entries also expire after `ttlMs`, which bounds staleness when several API
// processes share one database. Only queries whose root fields are all in `cacheableRootFields` are cached
// (never nextComparison, which is random, or the progress/status fields).
import { createHash } from 'node:crypto';
import { Kind, parse, type DocumentNode } from 'graphql';

export const cacheableRootFields = new Set([
  'images',
  'image',
  'caption',
  'models',
  'model',
  'leaderboard',
  '__typename',
]);

interface Entry {
  version: number;
  expires: number;
  body: string;
}

export class ResponseCache {
  private version = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly cacheableByQuery = new Map<string, boolean>();
  /** Responses being computed for cacheable requests, by key: identical requests wait for them (single flight). */
  readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(private readonly options: { maxEntries: number; ttlMs: number }) {}

  /** Something changed: forget every cached response. */
  invalidate(): void {
    this.version++;
    if (this.entries.size > 0) this.entries.clear();
  }

  /** The key for a request, or null when it must not be cached. */
  keyFor(body: unknown, voterId: string | null): string | null {
    if (this.options.maxEntries === 0 || typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const { query, variables, operationName, extensions } = body as Record<string, unknown>;
    if (typeof query !== 'string' || extensions !== undefined) return null;
    if (!this.isCacheable(query, typeof operationName === 'string' ? operationName : null)) return null;
    return createHash('sha1')
      .update(query)
      .update('\0')
      .update(JSON.stringify(variables ?? null))
      .update('\0')
      .update(String(operationName ?? ''))
      .update('\0')
      .update(voterId ?? '')
      .digest('base64');
  }

  get(key: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.version !== this.version || entry.expires < Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.body;
  }

  /** Stores a response computed while the version was `version` (a write in between makes it stale at once). */
  set(key: string, body: string, version: number): void {
    if (version !== this.version) return;
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { version, expires: Date.now() + this.options.ttlMs, body });
  }

  get currentVersion(): number {
    return this.version;
  }

  private isCacheable(query: string, operationName: string | null): boolean {
    const memoKey = `${operationName ?? ''}\0${query}`;
    let known = this.cacheableByQuery.get(memoKey);
    if (known === undefined) {
      known = readOnlyCacheable(query, operationName);
      if (this.cacheableByQuery.size > 1000) this.cacheableByQuery.clear();
      this.cacheableByQuery.set(memoKey, known);
    }
    return known;
  }
}

function readOnlyCacheable(query: string, operationName: string | null): boolean {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return false; // Apollo reports the syntax error
  }
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation || operation.operation !== 'query') return false;
  if (document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) {
    // Root-level fragment spreads could hide root fields; keep it simple and only check the operation's own fields.
    if (operation.selectionSet.selections.some((s) => s.kind !== Kind.FIELD)) return false;
  }
  return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && cacheableRootFields.has(s.name.value));
}
