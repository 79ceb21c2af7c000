#!/usr/bin/env node
// Image storage migration command: moves every image's original and thumbnail to PostgreSQL or to the S3 bucket.
//   npm run storage:migrate -w @captioner/api -- --to s3|postgres [--concurrency <n>]
// Safe to interrupt (Ctrl-C finishes the images in flight; even a kill loses nothing) and to run again: it moves
// what is still in the other location. Each image: written to the target, read back and compared, the row switched,
// then the source deleted.
import { parseArgs } from 'node:util';
import { migrateImageStorage, openDatabase, type ImageLocation } from '@captioner/db';
import { loadConfig } from '../config.js';
import { imageStorageOptions } from '../storage/image-storage.js';
import { progressBar } from './progress-bar.js';

const usage = 'Usage: npm run storage:migrate -w @captioner/api -- --to s3|postgres [--concurrency <n>]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        to: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const to = values.to as ImageLocation | undefined;
  if (to !== 's3' && to !== 'postgres') {
    console.error(`--to must be s3 or postgres${to ? `; got ${to}` : ''}.\n${usage}`);
    return 2;
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    console.error(`--concurrency must be a whole number from 1 to 64; got ${values.concurrency}.`);
    return 2;
  }
  const config = loadConfig();
  if (!config.imageStorage.s3) {
    console.error(
      'storage:migrate needs the bucket in both directions: set CAPTIONER_S3_BUCKET (and CAPTIONER_S3_ENDPOINT, ' +
        'CAPTIONER_S3_REGION, CAPTIONER_S3_PREFIX, CAPTIONER_S3_FORCE_PATH_STYLE as the API uses them) and the ' +
        'credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY). See apps/api/README.md, Image storage.',
    );
    return 2;
  }

  const db = await openDatabase({
    dataDir: config.dataDir,
    migrationsDir: config.migrationsDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    imageStorage: imageStorageOptions(config.imageStorage, to),
  });
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals === 1) {
      console.error(
        '\nStopping after the images in flight (Ctrl-C again to quit at once; nothing is lost either way).',
      );
      stop.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const bar = progressBar(`images -> ${to}`);
    const result = await migrateImageStorage(db.images, {
      to,
      concurrency,
      signal: stop.signal,
      onProgress: (p) => bar.update(p.moved + p.skipped + p.failed, p.total, `failed ${p.failed}`),
    });
    bar.finish();
    const seconds = result.elapsedMs / 1000;
    console.log(
      `Moved ${result.moved} of ${result.total} images to ${to} in ${seconds.toFixed(1)} s ` +
        `(${(result.moved / Math.max(seconds, 0.001)).toFixed(1)} images/s); ${result.skipped} moved or deleted ` +
        `meanwhile by others, ${result.failed} failed, ${result.remaining} still to move` +
        (result.drained ? `; deleted the leftover objects of ${result.drained} earlier placements` : '') +
        '.',
    );
    for (const { id, message } of result.errors) console.error(`  image ${id}: ${message}`);
    if (result.remaining > 0) {
      console.error(
        result.interrupted ? 'Interrupted; run the same command again to move the rest.' : 'Run it again to retry.',
      );
      return result.interrupted ? 130 : 1;
    }
    if (config.imageStorage.target !== to) {
      console.log(
        `Every image is in ${to} now, but CAPTIONER_IMAGE_STORE is ${config.imageStorage.target}: set ` +
          `CAPTIONER_IMAGE_STORE=${to} for the API, or new images keep going to ${config.imageStorage.target}.`,
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`storage:migrate failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
