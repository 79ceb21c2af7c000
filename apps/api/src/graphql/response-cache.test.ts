import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseCache } from './response-cache.js';

const cache = () => new ResponseCache({ maxEntries: 2, ttlMs: 60_000 });

test('only read-only queries of cacheable root fields get a key; voter and variables are part of it', () => {
  const c = cache();
  assert.ok(c.keyFor({ query: '{ images { totalCount } }' }, null));
  assert.equal(
    c.keyFor({ query: 'mutation { rateCaption(input: {captionId: "x", stars: 1}) { rating { id } } }' }, null),
    null,
  );
  assert.equal(c.keyFor({ query: '{ nextComparison { image { id } } }' }, 'v'), null, 'random per request');
  assert.equal(
    c.keyFor({ query: '{ images { totalCount } status { captionQueue { pending } } }' }, null),
    null,
    'volatile field',
  );
  assert.equal(c.keyFor({ query: '{ ... on Query { status { models { id } } } }' }, null), null);
  assert.equal(c.keyFor({ query: '{ images {' }, null), null);
  assert.equal(c.keyFor('{ images { totalCount } }', null), null);
  const q = { query: 'query($id: ID!) { image(id: $id) { id } }', variables: { id: '1' } };
  assert.notEqual(c.keyFor(q, 'a'), c.keyFor(q, 'b'));
  assert.notEqual(c.keyFor(q, 'a'), c.keyFor({ ...q, variables: { id: '2' } }, 'a'));
  assert.equal(c.keyFor(q, 'a'), c.keyFor({ ...q }, 'a'));
  const named =
    'query A { images { totalCount } } mutation B { rateCaption(input: {captionId: "x", stars: 1}) { rating { id } } }';
  assert.ok(c.keyFor({ query: named, operationName: 'A' }, null));
  assert.equal(c.keyFor({ query: named, operationName: 'B' }, null), null);
  assert.equal(c.keyFor({ query: named }, null), null, 'ambiguous without operationName');
});

test('a write invalidates every entry, and a response computed before a write is not stored', () => {
  const c = cache();
  const key = c.keyFor({ query: '{ models { id } }' }, null)!;
  c.set(key, '{"data":1}', c.currentVersion);
  assert.equal(c.get(key), '{"data":1}');
  c.invalidate();
  assert.equal(c.get(key), null);
  const before = c.currentVersion;
  c.invalidate(); // a write while the response was being computed
  c.set(key, '{"data":2}', before);
  assert.equal(c.get(key), null);
});

test('entries expire and the cache holds at most maxEntries', async () => {
  const short = new ResponseCache({ maxEntries: 2, ttlMs: 20 });
  const keys = ['{ models { id } }', '{ leaderboard { ratingCount } }', '{ images { totalCount } }'].map((query) =>
    short.keyFor({ query }, null)!,
  );
  keys.forEach((k, i) => short.set(k, String(i), short.currentVersion));
  assert.equal(short.get(keys[0]!), null, 'oldest evicted');
  assert.equal(short.get(keys[2]!), '2');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(short.get(keys[2]!), null, 'expired');
});
