// The NOTIFY payload codec: round trips, stays under PostgreSQL's 8000-byte limit, ignores foreign payloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeProgressEvent,
  encodeProgressEvent,
  importJobFromSnapshot,
  importJobSnapshot,
  MAX_PAYLOAD_BYTES,
  type ProgressEvent,
} from './progress-event.js';

const job = {
  id: '2b5c4a0e-0d64-4c1c-9d4e-8d1f6f9a3b21',
  path: '/data/flickr8k',
  format: 'flickr8k' as const,
  dataset: 'flickr8k',
  status: 'running' as const,
  total: 1000,
  processed: 10,
  created: 9,
  skipped: 1,
  failed: 0,
  error: null,
  startedAt: new Date('2026-11-30T23:00:00.000Z'),
  finishedAt: null,
};

test('every kind of event round-trips through its payload', () => {
  const events: ProgressEvent[] = [
    { kind: 'import', job: importJobSnapshot(job) },
    { kind: 'evaluation', runId: 'r1', status: 'running', done: 32, total: 1000 },
    { kind: 'caption', imageId: 'i1', modelId: 'flickr8k-attention', captionId: 'c1', error: null },
    { kind: 'caption', imageId: 'i1', modelId: 'flickr8k-lstm', captionId: null, error: 'decode failed' },
  ];
  for (const event of events) assert.deepEqual(decodeProgressEvent(encodeProgressEvent(event)), event);
  const back = importJobFromSnapshot(importJobSnapshot(job))!;
  assert.deepEqual(back, { ...job, failures: [] });
});

test('long error messages are cut so the payload fits under 8000 bytes', () => {
  const error = 'é'.repeat(20_000); // two bytes each
  const payload = encodeProgressEvent({ kind: 'import', job: { ...importJobSnapshot(job), status: 'failed', error } });
  assert.ok(Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES);
  const decoded = decodeProgressEvent(payload);
  assert.equal(decoded?.kind, 'import');
  assert.ok(decoded?.kind === 'import' && decoded.job.error!.endsWith('…'));
  const caption = encodeProgressEvent({ kind: 'caption', imageId: 'i', modelId: 'm', captionId: null, error });
  assert.ok(Buffer.byteLength(caption) <= MAX_PAYLOAD_BYTES);
});

test('an event that cannot fit is refused with a reason instead of failing in PostgreSQL', () => {
  const path = `/${'a'.repeat(8000)}`;
  assert.throws(
    () => encodeProgressEvent({ kind: 'import', job: { ...importJobSnapshot(job), path } }),
    /does not fit PostgreSQL's NOTIFY limit/,
  );
});

test('payloads that are not our events decode to null', () => {
  for (const payload of ['', 'not json', '{}', '{"kind":"import"}', '{"kind":"other","id":1}', 'null', '[1]']) {
    assert.equal(decodeProgressEvent(payload), null, payload);
  }
  assert.equal(
    decodeProgressEvent(JSON.stringify({ kind: 'evaluation', runId: 'r', status: 'paused', done: 0, total: 0 })),
    null,
  );
});
