// First-start benchmark (npm run bench -w @captioner/api, before gallery-load.ts): what a fresh `npm start` does
// with the demo gallery, timed. On a temporary embedded database, ensureDemoGallery() imports demo/flickr8k-test
// (Flickr8k's 1000 test photos with their reference captions) and queues captions with every loaded model (the
// shipped Flickr8k models: one shared ResNet50 encoder, two decoders, beam CAPTIONER_DEFAULT_BEAM); the
// benchmark runs a worker in this process, waits until every caption job is done and prints the import time, the
// time until the gallery is fully captioned, throughput, and how many images went through each encoder. Goal:
// under 150 s on 2 cores. Then it measures the worker's dynamic batching: the same caption jobs (the stored captions
// deleted in between) run by a worker taking one job at a time, then CAPTIONER_JOB_BATCH at a time, alternating
// (BENCH_BATCH_ROUNDS rounds, default 1), printing jobs/s and database transactions per job for each.
// Options (env): BENCH_DEMO_IMAGES (default: all of them; e.g. 20 for a smoke run), BENCH_DEMO_DIR (default
// demo/flickr8k-test), and the API's own variables (CAPTIONER_MODELS_DIR, CAPTIONER_ORT_THREADS,
// CAPTIONER_CAPTION_CONCURRENCY, CAPTIONER_DEFAULT_BEAM, ...).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { demoDataset, demoDir, ensureDemoGallery } from '../src/datasets/demo-gallery.js';
import { closeServices, openServices } from '../src/service.js';
import { startWorker } from '../src/jobs/worker.js';
import { compareBatching } from './batching.js';

const goalSeconds = 150;

function positiveInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer; got ${raw}`);
  return value;
}

async function main(): Promise<void> {
  const limit = positiveInt('BENCH_DEMO_IMAGES');
  const dir = path.resolve(process.env.BENCH_DEMO_DIR ?? demoDir);
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-bench-demo-'));
  await chmod(tempDir, 0o755); // the embedded server runs as `postgres` when we are root
  const { DATABASE_URL: _ignored, ...inherited } = process.env; // always a fresh embedded database
  const config = loadConfig({ ...inherited, CAPTIONER_DATA_DIR: path.join(tempDir, 'data') });
  const log = (m: string) => console.error(m);
  try {
    const services = await openServices(config, { log });
    try {
      const models = services.registry.loaded();
      if (models.length === 0) throw new Error(`no model loaded from ${config.modelsDir}`);
      const worker = startWorker(services, log, { backfill: false });
      const started = performance.now();
      let importedAt = started;
      let lastReport = started;
      const result = await ensureDemoGallery(services, {
        dir,
        log,
        ...(limit !== undefined ? { limit } : {}),
        onProgress: (p) => {
          importedAt = performance.now();
          if (importedAt - lastReport > 10_000) {
            lastReport = importedAt;
            console.error(
              `  imported ${p.processed}/${p.total}, queue ${JSON.stringify(services.captions.queue.stats())}`,
            );
          }
        },
      });
      if (!result) throw new Error(`nothing imported from ${dir}`);
      if (result.failed > 0) throw new Error(`${result.failed} images failed: ${result.failures.join('; ')}`);
      const importSeconds = (importedAt - started) / 1000;
      await services.jobs.drained('caption');
      const totalSeconds = (performance.now() - started) / 1000;
      await worker.stop();

      // Every image has a caption from every model, with the default settings.
      const perModel: string[] = [];
      for (const model of models) {
        const count = await services.db.images.count({ dataset: demoDataset, modelId: model.id });
        if (count !== result.total) throw new Error(`${model.id} captioned ${count} of ${result.total} images`);
        perModel.push(`${model.id} ${count}`);
      }
      const encoders = [...new Set(models.map((m) => m.encoder))];

      console.log(`\nFirst start with the demo gallery (${dir}), ${os.cpus().length} cores`);
      console.log(
        `Models: ${models.map((m) => m.id).join(', ')}; beam ${config.defaultBeamSize}, caption concurrency ${config.captionConcurrency}, ORT threads ${config.ortThreads || 'default'}`,
      );
      console.log('| step | images | seconds | images/s |');
      console.log('| --- | ---: | ---: | ---: |');
      console.log(
        `| import (hash, validate, thumbnail, store, references) | ${result.total} | ${importSeconds.toFixed(1)} | ${(result.total / importSeconds).toFixed(1)} |`,
      );
      console.log(
        `| import + captions by all ${models.length} models stored | ${result.total} | ${totalSeconds.toFixed(1)} | ${(result.total / totalSeconds).toFixed(1)} |`,
      );
      console.log(`Captions stored: ${perModel.join(', ')}`);
      for (const encoder of encoders) {
        console.log(
          `Encoder ${path.basename(encoder.file)}: ${encoder.imagesEncoded} images encoded in ${encoder.runs} calls for ${encoder.users} model(s)`,
        );
      }
      console.log(
        `Load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' / ')} (1/5/15 min) at the end`,
      );
      await compareBatching(services, { dataset: demoDataset, rounds: positiveInt('BENCH_BATCH_ROUNDS') ?? 1, log });
      if (limit === undefined) {
        console.log(
          `Goal: the ${result.total} photos imported and captioned in under ${goalSeconds} s: ${totalSeconds < goalSeconds ? 'met' : 'NOT met'} (${totalSeconds.toFixed(1)} s)`,
        );
      } else {
        console.log(
          `Smoke run of ${result.total} images (BENCH_DEMO_IMAGES); the ${goalSeconds} s goal is for all of them.`,
        );
      }
    } finally {
      await closeServices(services);
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`Benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
