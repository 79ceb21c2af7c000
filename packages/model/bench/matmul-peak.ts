// The machine's practical float32 ceiling for ONNX Runtime: one large MatMul (A [n, n] x B [n, n], B a
// constant), a graph written in code, timed with the runtime's session settings and thread count.
import ort from 'onnxruntime-node';

import { sessionOptions } from '../src/execution.js';
import { onnxModel } from '../src/onnx-writer.js';
import { timeCalls } from './stats.js';

export interface PeakReport {
  size: number;
  gflopPerCall: number;
  /** Mean over the timed calls. */
  gflops: number;
  bestGflops: number;
  runs: number;
}

// Deterministic values in [-1, 1) (the speed of a MatMul does not depend on them; denormals are avoided).
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

export async function measureMatmulPeak(o: { size: number; threads: number; seconds: number }): Promise<PeakReport> {
  const n = o.size;
  const graph = onnxModel({
    name: 'matmul-peak',
    inputs: [{ name: 'a', type: 'float32', shape: [n, n] }],
    outputs: [{ name: 'c', type: 'float32', shape: [n, n] }],
    initializers: [{ name: 'b', dims: [n, n], values: values(n * n, 2) }],
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
  });
  const session = await ort.InferenceSession.create(graph, sessionOptions({ intraOpNumThreads: o.threads }, 'cpu'));
  const a = new ort.Tensor('float32', values(n * n, 1), [n, n]);
  const t = await timeCalls(o.seconds, () => session.run({ a }));
  await session.release();
  const gflopPerCall = (2 * n ** 3) / 1e9;
  return {
    size: n,
    gflopPerCall,
    gflops: (gflopPerCall * t.runs) / (t.totalMs / 1000),
    bestGflops: gflopPerCall / (Math.min(...t.latencies) / 1000),
    runs: t.runs,
  };
}
