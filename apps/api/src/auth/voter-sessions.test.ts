import assert from 'node:assert/strict';
import { test } from 'node:test';
import { voterSessions } from './voter-sessions.js';

test('an issued token verifies to its voter id; other secrets, ids or signatures do not', () => {
  const sessions = voterSessions(Buffer.from('a'.repeat(32)));
  const { voterId, token } = sessions.issue();
  assert.equal(sessions.verify(token), voterId);
  assert.equal(sessions.verify([token]), voterId);
  assert.equal(voterSessions(Buffer.from('b'.repeat(32))).verify(token), null);
  const signature = token.split('.')[1]!;
  assert.equal(sessions.verify(`${sessions.issue().voterId}.${signature}`), null);
  assert.equal(sessions.verify(voterId), null);
  assert.equal(sessions.verify(undefined), null);
  assert.equal(sessions.verify(`${token}=`), null);
  assert.notEqual(sessions.issue().voterId, voterId);
});
