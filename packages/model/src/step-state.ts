// The recurrent state between step calls and the step graph call itself. Keeps h/c of the latest
// call and gathers the rows each new call continues; it also lays out the per-image constants the step
// takes (attention's `features`, format 2's extra init outputs such as `projected`) per row, reused while
// the rows' images stay the same.
import ort from 'onnxruntime-node';

import type { StepFunction, StepOutput } from './decode.js';

export interface InitialState {
  /** [L, images, S] from init. */
  h: ort.Tensor;
  c: ort.Tensor;
  /**
   * Batch-major [images, ...] tensors by name; each one the step graph declares as an input is fed
   * with one row per hypothesis (the row of its image). The others are ignored.
   */
  constants: Record<string, ort.Tensor>;
}

export function makeStepFunction(session: ort.InferenceSession, initial: InitialState): StepFunction {
  let h = initial.h;
  let c = initial.c;
  const images = h.dims[1]!;
  const constants = Object.entries(initial.constants).filter(([name]) => session.inputNames.includes(name));
  for (const [name, tensor] of constants) {
    if (tensor.dims[0] !== images)
      throw new Error(`step input ${name} has ${tensor.dims[0]} rows for ${images} images; it must be [images, ...]`);
  }
  let rowConstants: { rowImages: Int32Array; tensors: Record<string, ort.Tensor> } | null = null;

  return async (tokens, parents, rowImages): Promise<StepOutput> => {
    h = gatherRows(h, parents);
    c = gatherRows(c, parents);
    const feeds: Record<string, ort.Tensor> = {
      token: new ort.Tensor('int64', tokens, [tokens.length]),
      h,
      c,
    };
    if (!rowConstants || !sameRows(rowConstants.rowImages, rowImages)) {
      rowConstants = {
        rowImages,
        tensors: Object.fromEntries(constants.map(([name, tensor]) => [name, gatherBatch(tensor, rowImages)])),
      };
    }
    Object.assign(feeds, rowConstants.tensors);
    const result = await session.run(feeds);
    h = result.h_out!;
    c = result.c_out!;
    const logprobs = result.logprobs!;
    const alpha = result.alpha;
    return {
      logprobs: logprobs.data as Float32Array,
      vocabSize: logprobs.dims[1]!,
      alpha: alpha ? (alpha.data as Float32Array) : null,
      regions: alpha ? alpha.dims[1]! : 1,
    };
  };
}

function isIdentity(rows: Int32Array, count: number): boolean {
  if (rows.length !== count) return false;
  for (let i = 0; i < rows.length; i++) if (rows[i] !== i) return false;
  return true;
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// h/c are [L, N, S]: pick rows along the N axis.
function gatherRows(state: ort.Tensor, rows: Int32Array): ort.Tensor {
  const [layers, count, size] = state.dims as [number, number, number];
  if (isIdentity(rows, count)) return state;
  const source = state.data as Float32Array;
  const out = new Float32Array(layers * rows.length * size);
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < rows.length; i++) {
      const from = (layer * count + rows[i]!) * size;
      out.set(source.subarray(from, from + size), (layer * rows.length + i) * size);
    }
  }
  return new ort.Tensor('float32', out, [layers, rows.length, size]);
}

// Batch-major tensors ([N, ...]): pick rows along the first axis.
export function gatherBatch(tensor: ort.Tensor, rows: Int32Array): ort.Tensor {
  const [count, ...rest] = tensor.dims as number[];
  if (isIdentity(rows, count!)) return tensor;
  const size = rest.reduce((a, b) => a * b, 1);
  // The contract's per-image tensors are float32 (models/README.md, Graphs).
  if (tensor.type !== 'float32') throw new TypeError(`per-image step inputs must be float32, got ${tensor.type}`);
  const source = tensor.data as Float32Array;
  const out = new Float32Array(rows.length * size);
  for (let i = 0; i < rows.length; i++) out.set(source.subarray(rows[i]! * size, (rows[i]! + 1) * size), i * size);
  return new ort.Tensor('float32', out, [rows.length, ...rest]);
}
