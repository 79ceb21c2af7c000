// What sharing the encoder saves: one image captioned with several models that share an encoder, in one
// captionWithModels() call (one preprocessing and one encoder pass) against one caption() call per model
// (one pass each). Both are timed in alternation in the same run; the ratio is the speed-up.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { captionWithModels, loadModel, type CaptionModel } from '../src/index.js';
import { modelDir } from './models.js';
import { fmt, timeAlternating, type Timing } from './stats.js';

export interface SharedEncoderOptions {
  models: string[];
  beam: number;
  seconds: number;
  threads: number;
}

export interface SharedEncoderReport {
  models: string[];
  /** Whether all models share one encoder (otherwise the comparison shows no saving, by design). */
  shared: boolean;
  /** Encoder images per captioned image, counted by the encoder during the timed calls. */
  encoderPassesPerImage: { together: number; separately: number };
  together: Timing;
  separately: Timing;
  speedup: number;
}

export async function benchSharedEncoder(o: SharedEncoderOptions): Promise<SharedEncoderReport> {
  process.stderr.write(`shared encoder: ${o.models.join(' + ')} (beam ${o.beam}, ${o.threads} threads)...\n`);
  const models: CaptionModel[] = [];
  for (const id of o.models) models.push(await loadModel(modelDir(id), { intraOpNumThreads: o.threads }));
  const image = await readFile(path.join(models[0]!.dir, 'golden.png'));
  const encoders = [...new Set(models.map((m) => m.encoder))];
  const encoded = () => encoders.reduce((sum, e) => sum + e.imagesEncoded, 0);
  const options = { beamSize: o.beam };
  let images = { together: 0, separately: 0 };
  let calls = { together: 0, separately: 0 };
  const count = async (which: 'together' | 'separately', run: () => Promise<unknown>): Promise<void> => {
    const before = encoded();
    await run();
    images = { ...images, [which]: images[which] + encoded() - before };
    calls = { ...calls, [which]: calls[which] + 1 };
  };
  const [together, separately] = await timeAlternating(
    o.seconds,
    () => count('together', () => captionWithModels([image], models, options)),
    () =>
      count('separately', async () => {
        for (const model of models) await model.caption([image], options);
      }),
  );
  await Promise.all(models.map((m) => m.dispose()));
  return {
    models: o.models,
    shared: encoders.length === 1,
    encoderPassesPerImage: {
      together: images.together / calls.together,
      separately: images.separately / calls.separately,
    },
    together,
    separately,
    speedup: separately.totalMs / separately.runs / (together.totalMs / together.runs),
  };
}

export function sharedEncoderMarkdown(r: SharedEncoderReport): string {
  const row = (name: string, t: Timing, passes: number) =>
    `| ${name} | ${passes} | ${fmt(t.totalMs / t.runs, 1)} | ${fmt(t.p50Ms, 1)} | ${fmt(t.p95Ms, 1)} | ${t.runs} |`;
  return [
    `One image (golden.png from bytes) captioned with ${r.models.join(' and ')}${r.shared ? ', which share one encoder' : ' (they do NOT share an encoder)'}:`,
    '',
    '| how | encoder passes | mean ms | p50 ms | p95 ms | runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('captionWithModels (shared pass)', r.together, r.encoderPassesPerImage.together),
    row('caption() per model', r.separately, r.encoderPassesPerImage.separately),
    '',
    `Speed-up of the shared pass: ${r.speedup.toFixed(2)}x (mean time per image, measured in alternation in this run).`,
  ].join('\n');
}
