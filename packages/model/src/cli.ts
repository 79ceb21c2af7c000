#!/usr/bin/env node
// caption: captions image files with a model directory from the command line.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { captionWithModels } from './caption-together.js';
import { isCaptionerError } from './errors.js';
import { readImage } from './image.js';
import { loadModel } from './load-model.js';
import type { CaptionModel } from './model.js';

const USAGE = `Usage: caption --model <dir|id> [options] <image> [<image> ...]

Options:
  --model <dir|id>      model directory, or an id under --models-dir; repeat it to caption with
                        several models (an encoder they share runs once per image)
  --models-dir <dir>    where ids are looked up (default: ./models in the current directory)
  --beam <n>            beam size 1..10 (default 3; 1 = greedy)
  --max-length <n>      longest caption in words (default: the model's maxLength)
  --n-best <n>          hypotheses to print per image, 1..beam (default 1)
  --length-penalty <a>  rank by logprob / length^a (default 1)
  --provider <cpu|cuda> execution provider (default cpu; cuda falls back to cpu with a warning)
  --threads <n>         ONNX Runtime intra-op threads
  --json                print JSON (one object per image, with scores and attention)
  -h, --help            show this help`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string', multiple: true },
        'models-dir': { type: 'string', default: 'models' },
        beam: { type: 'string' },
        'max-length': { type: 'string' },
        'n-best': { type: 'string' },
        'length-penalty': { type: 'string' },
        provider: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`caption: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.model?.length || positionals.length === 0) {
    process.stderr.write(
      `caption: ${!values.model?.length ? '--model is required' : 'give at least one image file'}\n\n${USAGE}\n`,
    );
    return 2;
  }
  const number = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
    return value;
  };
  const provider = values.provider;
  if (provider !== undefined && provider !== 'cpu' && provider !== 'cuda')
    throw new UsageError(`--provider must be cpu or cuda, got "${provider}"`);

  const models: CaptionModel[] = [];
  for (const id of values.model) {
    models.push(
      await loadModel(id, {
        modelsDir: values['models-dir'],
        ...(provider ? { executionProvider: provider } : {}),
        ...(values.threads ? { intraOpNumThreads: number('threads', values.threads)! } : {}),
        logger: { warn: (message) => process.stderr.write(`caption: warning: ${message}\n`) },
      }),
    );
  }
  const images = await Promise.all(
    positionals.map(async (file) => {
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
      });
      // Validate each file on its own so an error names the file it is about.
      await readImage(bytes).catch((error: unknown) => {
        throw isCaptionerError(error) ? new UsageError(`${file}: ${error.code}: ${error.message}`) : error;
      });
      return bytes;
    }),
  );
  const decode = {
    ...(values.beam !== undefined ? { beamSize: number('beam', values.beam)! } : {}),
    ...(values['max-length'] !== undefined ? { maxLength: number('max-length', values['max-length'])! } : {}),
    ...(values['n-best'] !== undefined ? { nBest: number('n-best', values['n-best'])! } : {}),
    ...(values['length-penalty'] !== undefined
      ? { lengthPenalty: number('length-penalty', values['length-penalty'])! }
      : {}),
  };
  try {
    const perModel = await captionWithModels(images, models, decode);
    // With one model the output is as it always was; with several each line / object names its model.
    const several = models.length > 1;
    if (values.json) {
      const out = perModel.flatMap((results, m) =>
        results.map((result, i) => ({
          file: positionals[i],
          model: models[m]!.id,
          executionProvider: models[m]!.executionProvider,
          ...result,
        })),
      );
      process.stdout.write(`${JSON.stringify(out.length === 1 ? out[0] : out, null, 2)}\n`);
    } else {
      positionals.forEach((file, i) =>
        perModel.forEach((results, m) => {
          const result = results[i]!;
          process.stdout.write(`${file}${several ? ` [${models[m]!.id}]` : ''}: ${result.text}\n`);
          if (result.nBest.length > 1) {
            result.nBest.forEach((h, rank) =>
              process.stdout.write(
                `  ${rank + 1}. ${h.text}  (score ${h.score.toFixed(4)}, logprob ${h.logprob.toFixed(4)})\n`,
              ),
            );
          }
        }),
      );
    }
  } finally {
    await Promise.all(models.map((model) => model.dispose()));
  }
  return 0;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`caption: ${error.message}\n`);
    else if (isCaptionerError(error)) process.stderr.write(`caption: ${error.code}: ${error.message}\n`);
    else throw error;
    process.exitCode = 1;
  },
);
