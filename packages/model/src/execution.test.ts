import assert from 'node:assert/strict';
import { test } from 'node:test';

import { executionOptionsFromEnv, sessionOptions } from './execution.js';

test('execution settings are read from the environment', () => {
  assert.deepEqual(executionOptionsFromEnv({}), {});
  assert.deepEqual(
    executionOptionsFromEnv({
      CAPTIONER_EXECUTION_PROVIDER: ' CUDA ',
      CAPTIONER_CUDA_DEVICE_ID: '1',
      CAPTIONER_INTRA_OP_THREADS: '4',
      CAPTIONER_INTER_OP_THREADS: '2',
    }),
    { executionProvider: 'cuda', cudaDeviceId: 1, intraOpNumThreads: 4, interOpNumThreads: 2 },
  );
});

test('bad execution settings in the environment are refused with the variable named', () => {
  assert.throws(
    () => executionOptionsFromEnv({ CAPTIONER_EXECUTION_PROVIDER: 'tpu' }),
    /CAPTIONER_EXECUTION_PROVIDER must be "cpu" or "cuda", got "tpu"/,
  );
  assert.throws(
    () => executionOptionsFromEnv({ CAPTIONER_INTRA_OP_THREADS: '0' }),
    /CAPTIONER_INTRA_OP_THREADS must be an integer >= 1/,
  );
  assert.throws(() => executionOptionsFromEnv({ CAPTIONER_INTER_OP_THREADS: 'many' }), /CAPTIONER_INTER_OP_THREADS/);
});

test('session options carry the provider and thread counts to ONNX Runtime', () => {
  const cuda = sessionOptions({ cudaDeviceId: 2, intraOpNumThreads: 3, interOpNumThreads: 1 }, 'cuda');
  assert.deepEqual(cuda.executionProviders, [{ name: 'cuda', deviceId: 2 }]);
  assert.equal(cuda.intraOpNumThreads, 3);
  assert.equal(cuda.interOpNumThreads, 1);
  const cpu = sessionOptions({}, 'cpu');
  assert.deepEqual(cpu.executionProviders, ['cpu']);
  assert.equal(cpu.intraOpNumThreads, undefined);
});
