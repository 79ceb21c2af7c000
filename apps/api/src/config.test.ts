// The ONNX Runtime settings are read here, once, and handed to @captioner/model as explicit options
// (the model package reads no environment).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadConfig } from './config.js';

test('execution settings come from CAPTIONER_ORT_PROVIDER, CAPTIONER_ORT_THREADS and CAPTIONER_CUDA_DEVICE_ID', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.ortProvider, 'cpu');
  assert.equal(defaults.ortThreads, 0);
  assert.equal(defaults.cudaDeviceId, 0);
  const cuda = loadConfig({
    CAPTIONER_ORT_PROVIDER: 'cuda',
    CAPTIONER_ORT_THREADS: '4',
    CAPTIONER_CUDA_DEVICE_ID: '1',
  });
  assert.deepEqual([cuda.ortProvider, cuda.ortThreads, cuda.cudaDeviceId], ['cuda', 4, 1]);
});

test('bad execution settings are refused with the variable named', () => {
  assert.throws(() => loadConfig({ CAPTIONER_ORT_PROVIDER: 'tpu' }), /CAPTIONER_ORT_PROVIDER/);
  assert.throws(() => loadConfig({ CAPTIONER_ORT_THREADS: 'many' }), /CAPTIONER_ORT_THREADS/);
  assert.throws(() => loadConfig({ CAPTIONER_CUDA_DEVICE_ID: '-1' }), /CAPTIONER_CUDA_DEVICE_ID/);
});
