// The subscription iterator: values in order, end after what was pushed, and return() ends a quiet stream at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventStream, type StreamSink } from './event-stream.js';

test('values arrive in order, pushed before or after next(), and end() completes after them', async () => {
  let sink!: StreamSink<number>;
  const stream = eventStream<number>((s) => {
    sink = s;
    return () => undefined;
  });
  const first = stream.next();
  const second = stream.next();
  sink.push(1);
  sink.push(2);
  sink.push(3);
  sink.end();
  assert.deepEqual(await first, { value: 1, done: false });
  assert.deepEqual(await second, { value: 2, done: false });
  assert.deepEqual(await stream.next(), { value: 3, done: false });
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});

test('return() on a quiet stream settles the pending next() and cleans up once', async () => {
  let cleanups = 0;
  const stream = eventStream<number>(() => () => cleanups++);
  const pending = stream.next();
  await stream.return!();
  assert.deepEqual(await pending, { value: undefined, done: true });
  await stream.return!();
  assert.equal(cleanups, 1);
});

test('fail() rejects the next read after the values already pushed, and cleans up', async () => {
  let cleanups = 0;
  const stream = eventStream<string>((sink) => {
    sink.push('a');
    sink.fail(new Error('gone'));
    return () => cleanups++;
  });
  assert.deepEqual(await stream.next(), { value: 'a', done: false });
  await assert.rejects(stream.next(), /gone/);
  assert.equal(cleanups, 1);
});
