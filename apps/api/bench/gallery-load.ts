// Load benchmark of the API on loopback (npm run bench -w @captioner/api):
//   1. fills a temporary embedded database with images captioned by every shipped model (and some ratings);
//   2. starts the built API (dist/main.js) in its own process on that database;
//   3. drives it with autocannon at 20 concurrent connections: the gallery page (24 images with captions from
//      both models), cached caption mutations, and fresh caption mutations (real inference through the queue);
//   4. prints requests/s and p50/p95/p99 latency for each. Target: gallery p95 < 50 ms.
// Options (env): BENCH_IMAGES (default 240), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 20).
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { loadConfig, repoRoot } from '../src/config.js';
import { ingestImage } from '../src/images/ingest-image.js';
import { closeServices, openServices } from '../src/service.js';
import { startWorker } from '../src/jobs/worker.js';

const imageCount = Number(process.env.BENCH_IMAGES ?? 240);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);

const galleryQuery = `query Gallery($after: String) {
  images(first: 24, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id thumbnailUrl width height split meanRating bestBleu
      captions { id text sentenceBleu model { id variant } ratings { count mean } myRating } } }
  }
}`;

/** A small distinct image per index: coloured blocks, so every image has its own bytes and captions. */
async function syntheticImage(i: number): Promise<Buffer> {
  const hue = (n: number) => ({ r: (n * 97) % 256, g: (n * 57) % 256, b: (n * 31) % 256 });
  const block = await sharp({ create: { width: 24, height: 24, channels: 3, background: hue(i + 7) } })
    .png()
    .toBuffer();
  return sharp({ create: { width: 96, height: 96, channels: 3, background: hue(i) } })
    .composite([{ input: block, left: (i * 13) % 72, top: (i * 29) % 72 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

async function load(
  name: string,
  url: string,
  requests: autocannon.Request[],
  options: { duration?: number; amount?: number } = {},
): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url,
    connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? seconds }),
    requests,
    timeout: 120,
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, time: number) => {
    latencies.push(time);
    if (status !== 200) errors++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    rps: latencies.length / (result.duration || 1),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  // BENCH_DATA_DIR keeps the filled database between runs (for profiling); default a fresh temp dir.
  const keep = process.env.BENCH_DATA_DIR;
  const tempDir = keep ?? (await mkdtemp(path.join(os.tmpdir(), 'captioner-bench-')));
  await chmod(tempDir, 0o755);
  const { DATABASE_URL: _ignored, ...inherited } = process.env; // always a fresh embedded database
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    CAPTIONER_DATA_DIR: path.join(tempDir, 'data'),
    HOST: '127.0.0.1',
    PORT: '0',
  };
  let child: ReturnType<typeof spawn> | null = null;
  try {
    // 1. Fill the database.
    const config = loadConfig(env);
    const services = await openServices(config, { log: (m) => console.error(m) });
    const models = services.registry.loaded();
    const started = Date.now();
    const ids: string[] = (await services.db.images.list({ first: 100 })).items.map((i) => i.image.id);
    const alreadyFilled = ids.length > 0;
    if (alreadyFilled)
      ids.push(
        ...(
          await services.db.images.list({
            first: 100,
            after: (await services.db.images.list({ first: 100 })).endCursor,
          })
        ).items.map((i) => i.image.id),
      );
    for (let i = 0; i < (alreadyFilled ? 0 : imageCount); i++) {
      const { image } = await ingestImage(services.db, await syntheticImage(i), {
        filename: `bench-${i}.jpg`,
        source: 'upload',
        limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      });
      ids.push(image.id);
    }
    await services.captions.captionInBackground(ids);
    const worker = startWorker(services, (m) => console.error(m), { backfill: false });
    await services.jobs.drained('caption');
    await worker.stop();
    const captionIds: string[] = [];
    for (const id of ids.slice(0, 60))
      for (const c of await services.db.captions.listByImage(id)) captionIds.push(c.id);
    for (const [k, captionId] of (alreadyFilled ? [] : captionIds).entries()) {
      await services.db.ratings.rate({ captionId, voterId: `bench-voter-${k % 7}`, stars: (k % 5) + 1 });
    }
    const fillSeconds = (Date.now() - started) / 1000;
    await closeServices(services);
    console.log(
      `Filled ${imageCount} images x ${models.length} models (${models.map((m) => m.id).join(', ')}) in ${fillSeconds.toFixed(1)} s`,
    );

    // 2. The API in its own process, as deployed: first with the response cache off (every request resolved
    //    against PostgreSQL), then as configured by default.
    const startApi = async (extraEnv: Record<string, string>) => {
      const proc = spawn(process.execPath, [path.join(repoRoot, 'apps/api/dist/main.js')], {
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child = proc;
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)\/graphql/.exec(out);
          if (match) resolve(match[1]!);
        });
        proc.once('exit', (code) =>
          reject(new Error(`API exited with ${code} before listening (is it built? npm run build -w @captioner/api)`)),
        );
      });
      return url;
    };
    const stopApi = async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      child = null;
    };
    const json = (body: unknown, voter?: string): autocannon.Request => ({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', ...(voter ? { 'x-voter-id': voter } : {}) },
      body: JSON.stringify(body),
    });
    const results: Measured[] = [];
    let url = await startApi({ CAPTIONER_RESPONSE_CACHE_ENTRIES: '0' });
    await load('warm-up', url, [json({ query: galleryQuery })], { duration: 2 });
    results.push(await load('gallery page, response cache off', url, [json({ query: galleryQuery }, 'bench-voter-1')]));
    await stopApi();

    url = await startApi({});
    // Warm up (JIT, connection pool, caches) before measuring.
    await load('warm-up', url, [json({ query: galleryQuery })], { duration: 2 });
    results.push(
      await load('gallery page (24 images + captions)', url, [json({ query: galleryQuery }, 'bench-voter-1')]),
    );
    // Later pages use keyset cursors: fetch page 3's cursor once and load it too.
    const page2 = (await (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: galleryQuery }),
      })
    ).json()) as {
      data: { images: { pageInfo: { endCursor: string } } };
    };
    results.push(
      await load('gallery page 2 (cursor)', url, [
        json({ query: galleryQuery, variables: { after: page2.data.images.pageInfo.endCursor } }, 'bench-voter-1'),
      ]),
    );
    const mutation =
      'mutation($input: CaptionImageInput!) { captionImage(input: $input) { cached caption { id text } } }';
    const cached = ids
      .slice(0, 100)
      .flatMap((imageId) =>
        models.map((m) => json({ query: mutation, variables: { input: { imageId, modelId: m.id } } })),
      );
    results.push(await load('captionImage, cached settings', url, cached));
    // Fresh captions: each request a new (image, model, maxLength) so the model runs; the queue bounds the work.
    const fresh = ids.slice(0, 120).flatMap((imageId, i) =>
      models.map((m) =>
        json({
          query: mutation,
          variables: { input: { imageId, modelId: m.id, beamSize: 3, maxLength: 10 + (i % 5) } },
        }),
      ),
    );
    results.push(await load('captionImage, new settings (inference)', url, fresh, { amount: fresh.length }));

    console.log(
      `\nAPI load on loopback, ${connections} concurrent connections, ${seconds} s each (fresh captions: ${fresh.length} requests)`,
    );
    console.log(
      `Machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')} (1/5/15 min) at the end`,
    );
    console.log('| workload | requests | req/s | p50 ms | p95 ms | p99 ms | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
      );
    }
    const gallery = results[1]!;
    console.log(`\nTarget gallery p95 < 50 ms: ${gallery.p95 < 50 ? 'met' : 'NOT met'} (${gallery.p95.toFixed(1)} ms)`);
  } finally {
    if (child && (child as ReturnType<typeof spawn>).exitCode === null) {
      const running = child as ReturnType<typeof spawn>;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    }
    if (!keep) await rm(tempDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`Benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
