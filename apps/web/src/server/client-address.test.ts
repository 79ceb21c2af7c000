import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientAddress } from './client-address.mjs';

test('with no proxy in front, the socket peer is the client whatever X-Forwarded-For says', () => {
  assert.equal(clientAddress(undefined, '203.0.113.7', 0), '203.0.113.7');
  assert.equal(clientAddress('1.2.3.4', '203.0.113.7', 0), '203.0.113.7');
  assert.equal(clientAddress(['1.2.3.4', '5.6.7.8'], '203.0.113.7', 0), '203.0.113.7');
});

test('behind trusted proxies, the entry the outermost trusted proxy appended is the client', () => {
  // client forged "1.2.3.4"; the one proxy in front appended the real client 198.51.100.2 and connected from 10.0.0.1
  assert.equal(clientAddress('1.2.3.4, 198.51.100.2', '10.0.0.1', 1), '198.51.100.2');
  assert.equal(clientAddress('1.2.3.4, 198.51.100.2, 10.0.0.9', '10.0.0.1', 2), '198.51.100.2');
});

test('a shorter chain than the configured hops falls back to its leftmost entry', () => {
  assert.equal(clientAddress(undefined, '10.0.0.1', 2), '10.0.0.1');
  assert.equal(clientAddress(' , ', '10.0.0.1', 1), '10.0.0.1');
});
