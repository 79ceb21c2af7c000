// npm run bench -w @captioner/model [-- options]: prints figures, measures nothing else.
//   throughput  ONNX Runtime vs PyTorch eager, images/s and latency per batch size (throughput.ts)
//   shared      one image with several models: shared encoder pass vs one pass per model (shared-encoder.ts)
//   flops       the encoder's achieved GFLOP/s against a float32 MatMul peak (encoder-flops.ts)
//   projection  format 2's `projected` from init vs a variant whose step recomputes it (projection.ts)
// Options: --sections throughput,shared,flops,projection  --models <ids|dirs> (default: flickr8k-lstm,flickr8k-attention
// when exported, else the shapes fixtures)  --batch-sizes 1,32  --beam 3  --seconds 5  --threads N
// --encoder-batch-sizes 1,8  --matmul-size 2048  --projection-model <id|dir> (default: the first format 2
// attention model of --models)  --projection-batch-sizes 1,8  --recompute-dir <dir> (reuse a variant)
// --no-baseline  --json
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

import { benchEncoderFlops, encoderFlopsMarkdown } from './encoder-flops.js';
import { defaultModels } from './models.js';
import { benchProjection, projectionMarkdown, projectionModel, type ProjectionReport } from './projection.js';
import { benchSharedEncoder, sharedEncoderMarkdown } from './shared-encoder.js';
import { benchThroughput, throughputMarkdown } from './throughput.js';

const { values } = parseArgs({
  options: {
    sections: { type: 'string', default: 'throughput,shared,flops,projection' },
    models: { type: 'string' },
    'batch-sizes': { type: 'string', default: '1,32' },
    beam: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'encoder-batch-sizes': { type: 'string', default: '1,8' },
    'matmul-size': { type: 'string', default: '2048' },
    'projection-model': { type: 'string' },
    'projection-batch-sizes': { type: 'string', default: '1,8' },
    'recompute-dir': { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const positive = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
};
const list = (name: string, raw: string): number[] => raw.split(',').map((v) => positive(name, v));
const sections = values.sections.split(',');
for (const s of sections) {
  if (!['throughput', 'shared', 'flops', 'projection'].includes(s)) throw new Error(`unknown section "${s}"`);
}
const models = values.models ? values.models.split(',') : defaultModels();
const common = {
  beam: positive('beam', values.beam),
  seconds: positive('seconds', values.seconds),
  threads: positive('threads', values.threads),
};

const report: Record<string, unknown> = { ...common, models };
const text: string[] = [`Models: ${models.join(', ')}; ${common.threads} threads; ${common.seconds}s per measurement.`];

if (sections.includes('shared')) {
  const shared = await benchSharedEncoder({ ...common, models });
  report.shared = shared;
  text.push('', '## Shared encoder', '', sharedEncoderMarkdown(shared));
}
if (sections.includes('flops')) {
  const flops = await benchEncoderFlops({
    model: models[0]!,
    threads: common.threads,
    seconds: common.seconds,
    batchSizes: list('encoder-batch-sizes', values['encoder-batch-sizes']),
    matmulSize: positive('matmul-size', values['matmul-size']),
  });
  report.flops = flops;
  text.push('', '## Encoder GFLOP/s', '', encoderFlopsMarkdown(flops));
}
if (sections.includes('projection')) {
  const options = {
    ...common,
    batchSizes: list('projection-batch-sizes', values['projection-batch-sizes']),
    recomputeDir: values['recompute-dir'],
  };
  const model = values['projection-model'] ?? projectionModel(models);
  let projection: ProjectionReport;
  if (!model) {
    projection = {
      model: '–',
      skipped: `no format 2 attention model among ${models.join(', ')}; pass --projection-model <id|dir>`,
    };
  } else {
    // A failure here (Python, the variant, a model) is reported in the section, not thrown.
    projection = await benchProjection({ ...options, model }).catch((error: unknown) => ({
      model,
      skipped: error instanceof Error ? error.message : String(error),
    }));
  }
  if (projection.skipped) process.stderr.write(`projection: skipped: ${projection.skipped}\n`);
  report.projection = projection;
  text.push('', '## Projection once per image (format 2) vs per step', '', projectionMarkdown(projection, options));
}
if (sections.includes('throughput')) {
  const options = {
    ...common,
    models,
    batchSizes: list('batch-sizes', values['batch-sizes']),
    baseline: !values['no-baseline'],
  };
  const throughput = await benchThroughput(options);
  report.throughput = throughput;
  text.push('', '## ONNX Runtime vs PyTorch eager', '', throughputMarkdown(throughput, options));
}

process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${text.join('\n')}\n`);
