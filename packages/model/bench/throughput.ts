// Captioning throughput of the ONNX Runtime path against PyTorch eager on the same models, images
// and decode settings, in one run: images/s and p50/p95 latency per batch size, and the ratio.
// Usage: npm run bench -w @captioner/model -- [--beam 3] [--seconds 5] [--batch-sizes 1,8,32]
//        [--threads N] [--models shapes-lstm,shapes-attention] [--no-baseline] [--json]
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

import { defaultModelsDir, loadModel, type CaptionModel } from '../src/index.js';

interface Row {
  batchSize: number;
  imagesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  runs: number;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const { values } = parseArgs({
  options: {
    beam: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    'batch-sizes': { type: 'string', default: '1,8,32' },
    threads: { type: 'string', default: String(availableParallelism()) },
    models: { type: 'string', default: 'shapes-lstm,shapes-attention' },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const beam = Number(values.beam);
const seconds = Number(values.seconds);
const batchSizes = values['batch-sizes'].split(',').map(Number);
const threads = Number(values.threads);

// Same measurement as training/bench_eager.py: one warm-up call, then calls for `seconds` (at least
// 3), each timed from image bytes to captions (preprocessing included on both sides).
async function benchOnnx(model: CaptionModel, golden: Buffer, batchSize: number): Promise<Row> {
  const images = Array.from({ length: batchSize }, () => golden);
  await model.caption(images, { beamSize: beam });
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || latencies.length < 3) {
    const start = performance.now();
    await model.caption(images, { beamSize: beam });
    latencies.push(performance.now() - start);
  }
  return summarise(batchSize, latencies);
}

function summarise(batchSize: number, latencies: number[]): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return {
    batchSize,
    imagesPerSecond: (batchSize * sorted.length) / (total / 1000),
    p50Ms: median,
    p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!,
    runs: sorted.length,
  };
}

async function benchEager(id: string, batchSize: number): Promise<Row | string> {
  const args = [
    '-m',
    'training',
    'bench-eager',
    '--model-dir',
    path.join(defaultModelsDir(), id),
    '--batch-sizes',
    String(batchSize),
    '--beam',
    String(beam),
    '--seconds',
    String(seconds),
    '--threads',
    String(threads),
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

const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));

// The two sides alternate per batch size so a change in machine load hits both alike.
const report: Record<string, { onnx: Row[]; eager: (Row | string)[] }> = {};
for (const id of values.models.split(',')) {
  process.stderr.write(`benchmarking ${id} (beam ${beam}, ${threads} threads, ${seconds}s per batch size)...\n`);
  const dir = path.join(defaultModelsDir(), id);
  const model = await loadModel(dir, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const golden = await readFile(path.join(dir, 'golden.png'));
  report[id] = { onnx: [], eager: [] };
  for (const batchSize of batchSizes) {
    report[id].onnx.push(await benchOnnx(model, golden, batchSize));
    if (!values['no-baseline']) report[id].eager.push(await benchEager(id, batchSize));
  }
  await model.dispose();
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ beam, threads, seconds, report }, null, 2)}\n`);
} else {
  const lines = [
    `Decode: beam ${beam}, max length from the manifest; ${threads} threads on both sides; golden.png from bytes (preprocessing included).`,
    '',
    '| model | batch | ONNX Runtime img/s | p50 ms | p95 ms | PyTorch eager img/s | p50 ms | p95 ms | throughput ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes: string[] = [];
  for (const [id, { onnx, eager }] of Object.entries(report)) {
    for (const [i, row] of onnx.entries()) {
      const baseline = eager[i];
      const base = typeof baseline === 'object' ? baseline : undefined;
      const ratio = base ? `${(row.imagesPerSecond / base.imagesPerSecond).toFixed(2)}x` : '–';
      lines.push(
        `| ${id} | ${row.batchSize} | ${fmt(row.imagesPerSecond)} | ${fmt(row.p50Ms, 2)} | ${fmt(row.p95Ms, 2)} | ${fmt(base?.imagesPerSecond)} | ${fmt(base?.p50Ms, 2)} | ${fmt(base?.p95Ms, 2)} | ${ratio} |`,
      );
    }
    for (const failure of new Set(eager.filter((e): e is string => typeof e === 'string')))
      notes.push(`${id}: ${failure}`);
  }
  process.stdout.write(`${[...lines, '', ...notes].join('\n')}\n`);
}
