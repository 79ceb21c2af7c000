// How close the encoder gets to the machine: its FLOPs per image are counted from the graph as ONNX
// Runtime runs it (a profiled run records every node's input and output shapes), its achieved GFLOP/s
// are timed with the runtime's own session settings, and the ceiling is a large float32 MatMul measured
// in the same run with the same threads (matmul-peak.ts).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import ort from 'onnxruntime-node';

import { sessionOptions } from '../src/execution.js';
import { loadModel } from '../src/index.js';
import { measureMatmulPeak, type PeakReport } from './matmul-peak.js';
import { modelDir } from './models.js';
import { fmt, timeCalls } from './stats.js';

export interface FlopCount {
  /** Multiply-accumulates of Conv, MatMul and Gemm nodes for one image; FLOPs = 2 x MACs. */
  macs: number;
  byOp: Record<string, { nodes: number; macs: number }>;
  /** Nodes of other kinds (activations, adds, pooling): not counted, a fraction of a percent here. */
  otherNodes: number;
}

interface ProfileEvent {
  cat: string;
  name: string;
  args?: {
    op_name?: string;
    input_type_shape?: Record<string, number[]>[];
    output_type_shape?: Record<string, number[]>[];
  };
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const dimsOf = (shape: Record<string, number[]> | undefined): number[] => Object.values(shape ?? {})[0] ?? [];

/**
 * Counts one image's MACs by running the graph once with profiling on. Optimisation level "basic" folds
 * the float16 weights' Cast nodes and fuses batch norms into the convolutions but keeps the standard
 * [Cout, Cin/groups, kH, kW] weight layout, so each convolution's MACs are output size x Cin/groups x kH x kW.
 */
export async function countEncoderMacs(file: string, height: number, width: number): Promise<FlopCount> {
  const dir = await mkdtemp(path.join(tmpdir(), 'captioner-bench-profile-'));
  try {
    const session = await ort.InferenceSession.create(file, {
      graphOptimizationLevel: 'basic',
      enableProfiling: true,
      profileFilePrefix: path.join(dir, 'encoder'),
      intraOpNumThreads: 1,
    });
    await session.run({
      image: new ort.Tensor('float32', new Float32Array(3 * height * width), [1, 3, height, width]),
    });
    session.endProfiling();
    await session.release();
    const [profile] = await readdir(dir);
    if (!profile) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
    const events = JSON.parse(await readFile(path.join(dir, profile), 'utf8')) as ProfileEvent[];
    const count: FlopCount = { macs: 0, byOp: {}, otherNodes: 0 };
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time') || !event.args?.op_name) continue;
      const op = event.args.op_name;
      const inputs = (event.args.input_type_shape ?? []).map(dimsOf);
      const output = dimsOf(event.args.output_type_shape?.[0]);
      let macs: number | null = null;
      if (op === 'Conv' || op === 'FusedConv') macs = product(output) * product(inputs[1]!.slice(1));
      else if (op === 'MatMul' || op === 'FusedMatMul') macs = product(output) * inputs[0]!.at(-1)!;
      else if (op === 'Gemm') macs = product(output) * (product(inputs[0]!) / output[0]!);
      if (macs === null) {
        count.otherNodes++;
        continue;
      }
      count.macs += macs;
      const entry = (count.byOp[op] ??= { nodes: 0, macs: 0 });
      entry.nodes++;
      entry.macs += macs;
    }
    return count;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface EncoderFlopsOptions {
  model: string;
  threads: number;
  seconds: number;
  batchSizes: number[];
  matmulSize: number;
}

export interface EncoderFlopsReport {
  encoder: string;
  gflopPerImage: number;
  count: FlopCount;
  achieved: { batchSize: number; msPerCall: number; gflops: number; runs: number }[];
  peak: PeakReport;
}

export async function benchEncoderFlops(o: EncoderFlopsOptions): Promise<EncoderFlopsReport> {
  process.stderr.write(`encoder FLOP/s: ${o.model}'s encoder, ${o.threads} threads...\n`);
  const model = await loadModel(modelDir(o.model), { intraOpNumThreads: o.threads });
  const file = path.resolve(model.dir, model.manifest.files.encoder);
  const { height, width } = model.manifest.image;
  const tensor = await model.preprocess(await readFile(path.join(model.dir, 'golden.png')));
  await model.dispose();

  const count = await countEncoderMacs(file, height, width);
  const gflopPerImage = (2 * count.macs) / 1e9;
  // The runtime's own session settings (all optimisations, no spinning), the runtime's thread count.
  const session = await ort.InferenceSession.create(file, sessionOptions({ intraOpNumThreads: o.threads }, 'cpu'));
  const achieved = [];
  for (const batchSize of o.batchSizes) {
    const batch = new Float32Array(batchSize * tensor.length);
    for (let i = 0; i < batchSize; i++) batch.set(tensor, i * tensor.length);
    const image = new ort.Tensor('float32', batch, [batchSize, 3, height, width]);
    const t = await timeCalls(o.seconds, () => session.run({ image }));
    const msPerCall = t.totalMs / t.runs;
    achieved.push({ batchSize, msPerCall, gflops: (gflopPerImage * batchSize) / (msPerCall / 1000), runs: t.runs });
  }
  await session.release();
  const peak = await measureMatmulPeak({ size: o.matmulSize, threads: o.threads, seconds: o.seconds });
  return { encoder: file, gflopPerImage, count, achieved, peak };
}

export function encoderFlopsMarkdown(r: EncoderFlopsReport): string {
  const ops = Object.entries(r.count.byOp)
    .map(([op, { nodes, macs }]) => `${nodes} ${op} (${fmt(macs / 1e9, 3)} GMAC)`)
    .join(', ');
  return [
    `Encoder ${path.basename(r.encoder)}: ${fmt(r.count.macs / 1e9, 3)} GMAC = ${fmt(r.gflopPerImage, 2)} GFLOP per image, counted from the profiled graph (${ops}; ${r.count.otherNodes} other nodes not counted).`,
    `Peak: float32 MatMul ${r.peak.size}x${r.peak.size} x ${r.peak.size}x${r.peak.size} (${fmt(r.peak.gflopPerCall, 1)} GFLOP per call), ${fmt(r.peak.gflops, 1)} GFLOP/s (mean over ${r.peak.runs} calls; best call ${fmt(r.peak.bestGflops, 1)}).`,
    '',
    '| encoder batch | ms per call | GFLOP/s achieved | of MatMul peak | runs |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...r.achieved.map(
      (a) =>
        `| ${a.batchSize} | ${fmt(a.msPerCall, 1)} | ${fmt(a.gflops, 1)} | ${fmt((100 * a.gflops) / r.peak.gflops, 0)}% | ${a.runs} |`,
    ),
  ].join('\n');
}
