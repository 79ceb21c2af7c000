// ThrottledWriter: bursts are written every N updates or once per interval, in order, one write at a time; the
// last value is written after the interval even when no update follows, and flush() writes it at once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ThrottledWriter } from './throttled-writer.js';

function recorder(writeMs = 0) {
  const written: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (value: number) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(writeMs);
    written.push(value);
    inFlight--;
  };
  return { written, write, maxInFlight: () => maxInFlight };
}

test('a burst is written at its first value, every N updates and at flush, in order and one at a time', async () => {
  const r = recorder(5);
  const writer = new ThrottledWriter(r.write, { intervalMs: 10_000, everyUpdates: 10 });
  for (let i = 1; i <= 35; i++) writer.update(i);
  await writer.flush();
  assert.deepEqual(r.written, [1, 11, 21, 31, 35]);
  assert.equal(r.maxInFlight(), 1);
});

test('the latest value is written once the interval has passed, without another update', async () => {
  const r = recorder();
  const writer = new ThrottledWriter(r.write, { intervalMs: 40, everyUpdates: 1000 });
  writer.update(1);
  writer.update(2);
  writer.update(3);
  await sleep(5);
  assert.deepEqual(r.written, [1], 'within the interval only the first is written');
  await sleep(80);
  assert.deepEqual(r.written, [1, 3], 'the trailing value followed after the interval');
  await writer.flush();
  assert.deepEqual(r.written, [1, 3], 'nothing left to write');
});

test('a failed write is reported by flush, and later values are not written after it', async () => {
  const written: number[] = [];
  const writer = new ThrottledWriter(
    async (value: number) => {
      if (value === 2) throw new Error('database gone');
      written.push(value);
    },
    { intervalMs: 0, everyUpdates: 1 },
  );
  for (const value of [1, 2, 3]) writer.update(value);
  await assert.rejects(writer.flush(), /database gone/);
  assert.deepEqual(written, [1]);
});
