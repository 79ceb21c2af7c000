import assert from 'node:assert/strict';
import { test } from 'node:test';

import { sessionOptions } from './execution.js';

test('session options carry the provider and thread counts to ONNX Runtime', () => {
  const cuda = sessionOptions({ cudaDeviceId: 2, intraOpNumThreads: 3, interOpNumThreads: 1 }, 'cuda');
  assert.deepEqual(cuda.executionProviders, [{ name: 'cuda', deviceId: 2 }]);
  assert.equal(cuda.intraOpNumThreads, 3);
  assert.equal(cuda.interOpNumThreads, 1);
  const cpu = sessionOptions({}, 'cpu');
  assert.deepEqual(cpu.executionProviders, ['cpu']);
  assert.equal(cpu.intraOpNumThreads, undefined);
});
