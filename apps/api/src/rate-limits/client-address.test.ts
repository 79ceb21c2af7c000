import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { clientAddress } from './client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

test('X-Forwarded-For counts only from a trusted proxy, and only its last entry', () => {
  const trusted = ['127.0.0.1'];
  assert.equal(clientAddress(request('203.0.113.9', '10.0.0.1'), trusted), '203.0.113.9');
  assert.equal(clientAddress(request('127.0.0.1', 'forged, 198.51.100.7'), trusted), '198.51.100.7');
  assert.equal(clientAddress(request('127.0.0.1'), trusted), '127.0.0.1');
  assert.equal(clientAddress(request('127.0.0.1', ' , '), trusted), '127.0.0.1');
});
