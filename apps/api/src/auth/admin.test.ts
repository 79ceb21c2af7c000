import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../errors.js';
import { adminStatus, requireAdminStatus } from './admin.js';

test('only the configured token, as a Bearer credential, makes an admin', () => {
  const token = 'correct-horse-battery-staple-0123';
  assert.equal(adminStatus(token, `Bearer ${token}`), 'admin');
  assert.equal(adminStatus(token, `bearer ${token}`), 'admin');
  assert.equal(adminStatus(token, undefined), 'no-credential');
  assert.equal(adminStatus(token, token), 'no-credential');
  assert.equal(adminStatus(token, `Basic ${token}`), 'no-credential');
  assert.equal(adminStatus(token, `Bearer ${token}x`), 'wrong-credential');
  assert.equal(adminStatus(token, 'Bearer x'), 'wrong-credential');
  assert.equal(adminStatus(undefined, `Bearer ${token}`), 'disabled');
  assert.equal(adminStatus('', 'Bearer '), 'disabled');
});

test('refusals are FORBIDDEN and name the operation and the fix', () => {
  assert.doesNotThrow(() => requireAdminStatus('admin', 'importDataset'));
  for (const status of ['disabled', 'no-credential', 'wrong-credential'] as const) {
    assert.throws(
      () => requireAdminStatus(status, 'importDataset'),
      (e: unknown) => e instanceof ApiError && e.code === 'FORBIDDEN' && /^importDataset: .*token/i.test(e.message),
    );
  }
});
