// The NOTIFY payload codec: round trips, stays under PostgreSQL's 8000-byte limit, ignores foreign payloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeProgressEvent,
  encodeProgressEvent,
  importJobEvent,
  MAX_PAYLOAD_BYTES,
  type ProgressEvent,
} from './progress-event.js';

const job = { id: '2b5c4a0e-0d64-4c1c-9d4e-8d1f6f9a3b21', status: 'running' as const, total: 1000, processed: 10 };

test('every kind of event round-trips through its payload', () => {
  const events: ProgressEvent[] = [
    importJobEvent(job),
    importJobEvent({ ...job, status: 'queued' }),
    { kind: 'evaluation', runId: 'r1', status: 'running', done: 32, total: 1000 },
    { kind: 'caption', imageId: 'i1', modelId: 'flickr8k-attention', captionId: 'c1', error: null },
    { kind: 'caption', imageId: 'i1', modelId: 'flickr8k-lstm', captionId: null, error: 'decode failed' },
  ];
  for (const event of events) assert.deepEqual(decodeProgressEvent(encodeProgressEvent(event)), event);
  assert.deepEqual(importJobEvent(job), {
    kind: 'import',
    jobId: job.id,
    status: 'running',
    processed: 10,
    total: 1000,
  });
});

test('long error messages are cut so the payload fits under 8000 bytes', () => {
  const error = 'é'.repeat(20_000); // two bytes each
  const caption = encodeProgressEvent({ kind: 'caption', imageId: 'i', modelId: 'm', captionId: null, error });
  assert.ok(Buffer.byteLength(caption) <= MAX_PAYLOAD_BYTES);
  const decoded = decodeProgressEvent(caption);
  assert.ok(decoded?.kind === 'caption' && decoded.error!.endsWith('…'));
});

test('an event that cannot fit is refused with a reason instead of failing in PostgreSQL', () => {
  const imageId = 'a'.repeat(8000);
  assert.throws(
    () => encodeProgressEvent({ kind: 'caption', imageId, modelId: 'm', captionId: null, error: null }),
    /does not fit PostgreSQL's NOTIFY limit/,
  );
});

test('payloads that are not our events decode to null', () => {
  for (const payload of [
    '',
    'not json',
    '{}',
    '{"kind":"import"}',
    '{"kind":"import","job":{"id":"x"}}',
    '{"kind":"other","id":1}',
    'null',
    '[1]',
  ]) {
    assert.equal(decodeProgressEvent(payload), null, payload);
  }
  assert.equal(
    decodeProgressEvent(JSON.stringify({ kind: 'evaluation', runId: 'r', status: 'paused', done: 0, total: 0 })),
    null,
  );
});
