// A tiny hand-made format 2 attention model for the tests (not built), with a JavaScript reference of
// what it computes. Its init graph outputs `projected` = mean RGB x W besides h and c; its step adds
// `projected` to a table row chosen by the previous token, so the captions depend on the image only
// through `projected`: "red dot", "green dot", "blue dot dot ..." (blue also favours "dot").
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { onnxModel, type GraphSpec } from './onnx-writer.js';
import { validManifest } from './test-fixtures.js';

export const TOY_VOCAB = ['<pad>', '<start>', '<end>', '<unk>', 'red', 'green', 'blue', 'dot'];
const V = TOY_VOCAB.length;
const [START, END, RED, GREEN, BLUE, DOT] = [1, 2, 4, 5, 6, 7];
const SIZE = 2; // images are 2 x 2: grid 2 x 2, features [N, 4, 3] (the RGB values of each pixel)

// TABLE[previous token][next token]
const TABLE: number[][] = Array.from({ length: V }, (_, prev) =>
  Array.from({ length: V }, (_, next) => {
    if (prev === START) return [RED, GREEN, BLUE].includes(next) ? 0 : -10;
    if ([RED, GREEN, BLUE].includes(prev)) return next === DOT ? 10 : -10;
    if (prev === DOT) return next === END ? 3 : next === DOT ? 0 : -10;
    return -10;
  }),
);
// W[channel][token]: each channel favours its colour word; blue also favours "dot".
const W: number[][] = [0, 1, 2].map((channel) =>
  Array.from({ length: V }, (_, token) => (token === RED + channel ? 5 : channel === 2 && token === DOT ? 4 : 0)),
);

const f = (name: string, shape: (number | string)[]) => ({ name, type: 'float32' as const, shape });

function encoderGraph(): GraphSpec {
  return {
    inputs: [f('image', ['n', 3, SIZE, SIZE])],
    outputs: [f('features', ['n', SIZE * SIZE, 3])],
    initializers: [{ name: 'shape', dims: [3], values: BigInt64Array.of(0n, 3n, BigInt(SIZE * SIZE)) }],
    nodes: [
      { op: 'Reshape', inputs: ['image', 'shape'], outputs: ['planes'] },
      { op: 'Transpose', inputs: ['planes'], outputs: ['features'], attributes: { perm: { ints: [0, 2, 1] } } },
    ],
  };
}

function initGraph(extra: boolean): GraphSpec {
  return {
    inputs: [f('features', ['n', SIZE * SIZE, 3])],
    outputs: [f('h', [1, 'n', 3]), f('c', [1, 'n', 3]), ...(extra ? [f('projected', ['n', V])] : [])],
    initializers: [
      { name: 'axis0', dims: [1], values: BigInt64Array.of(0n) },
      { name: 'W', dims: [3, V], values: W.flat() },
    ],
    nodes: [
      {
        op: 'ReduceMean',
        inputs: ['features'],
        outputs: ['mean'],
        attributes: { axes: { ints: [1] }, keepdims: { i: 0 } },
      },
      { op: 'Unsqueeze', inputs: ['mean', 'axis0'], outputs: ['h'] },
      { op: 'Identity', inputs: ['h'], outputs: ['c'] },
      ...(extra ? [{ op: 'MatMul', inputs: ['mean', 'W'], outputs: ['projected'] }] : []),
    ],
  };
}

function stepGraph(takesProjected: boolean): GraphSpec {
  return {
    inputs: [
      { name: 'token', type: 'int64', shape: ['n'] },
      f('h', [1, 'n', 3]),
      f('c', [1, 'n', 3]),
      f('features', ['n', SIZE * SIZE, 3]),
      ...(takesProjected ? [f('projected', ['n', V])] : []),
    ],
    outputs: [
      f('logprobs', ['n', V]),
      f('h_out', [1, 'n', 3]),
      f('c_out', [1, 'n', 3]),
      f('alpha', ['n', SIZE * SIZE]),
    ],
    initializers: [{ name: 'table', dims: [V, V], values: TABLE.flat() }],
    nodes: [
      { op: 'Gather', inputs: ['table', 'token'], outputs: ['row'], attributes: { axis: { i: 0 } } },
      ...(takesProjected
        ? [
            { op: 'Add', inputs: ['row', 'projected'], outputs: ['logits'] },
            { op: 'LogSoftmax', inputs: ['logits'], outputs: ['logprobs'], attributes: { axis: { i: 1 } } },
          ]
        : [{ op: 'LogSoftmax', inputs: ['row'], outputs: ['logprobs'], attributes: { axis: { i: 1 } } }]),
      {
        op: 'ReduceMean',
        inputs: ['features'],
        outputs: ['brightness'],
        attributes: { axes: { ints: [2] }, keepdims: { i: 0 } },
      },
      { op: 'Softmax', inputs: ['brightness'], outputs: ['alpha'], attributes: { axis: { i: 1 } } },
      { op: 'Identity', inputs: ['h'], outputs: ['h_out'] },
      { op: 'Identity', inputs: ['c'], outputs: ['c_out'] },
    ],
  };
}

export interface ToyOptions {
  format?: number;
  /** Whether init outputs `projected` (default true). */
  initOutputsProjected?: boolean;
  /** Whether the step graph takes `projected` (default true). */
  stepTakesProjected?: boolean;
  maxLength?: number;
}

/** Writes the toy model into dir (created). */
export async function writeToyModel(dir: string, options: ToyOptions = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const manifest = validManifest({
    format: options.format ?? 2,
    id: path.basename(dir),
    image: { height: SIZE, width: SIZE, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' },
    grid: { rows: SIZE, cols: SIZE },
    maxLength: options.maxLength ?? 4,
    weights: 'float32',
  });
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(TOY_VOCAB));
  await writeFile(path.join(dir, 'encoder.onnx'), onnxModel(encoderGraph()));
  await writeFile(path.join(dir, 'init.onnx'), onnxModel(initGraph(options.initOutputsProjected ?? true)));
  await writeFile(path.join(dir, 'step.onnx'), onnxModel(stepGraph(options.stepTakesProjected ?? true)));
  return dir;
}

/** A 2 x 2 PNG of one colour. */
export async function solidImage(r: number, g: number, b: number): Promise<Buffer> {
  return sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

/** The model's next-token log-probabilities after `previous`, for a solid image of this colour. */
export function toyLogprobs(rgb: [number, number, number], previous: number): number[] {
  const mean = rgb.map((v) => v / 255);
  const logits = TABLE[previous]!.map((t, token) => t + mean.reduce((sum, m, ch) => sum + m * W[ch]![token]!, 0));
  const max = Math.max(...logits);
  const logSum = max + Math.log(logits.reduce((sum, l) => sum + Math.exp(l - max), 0));
  return logits.map((l) => l - logSum);
}

/** Greedy decoding of the toy model in plain JavaScript (end forced after maxLength words). */
export function toyGreedy(rgb: [number, number, number], maxLength: number): { tokens: number[]; logprobs: number[] } {
  const tokens: number[] = [];
  const logprobs: number[] = [];
  for (;;) {
    const next = toyLogprobs(rgb, tokens.at(-1) ?? START);
    const token = tokens.length >= maxLength ? END : next.indexOf(Math.max(...next));
    logprobs.push(next[token]!);
    if (token === END) return { tokens, logprobs };
    tokens.push(token);
  }
}
