// Benchmark of the gallery's database work: one page of 24 images plus the batched loads a GraphQL
// gallery page makes (captions, references, rating summaries, models), over a few thousand images,
// sequentially and with 20 concurrent clients. Prints latency percentiles; asserts nothing.
//   npm run bench -w @captioner/db        (BENCH_IMAGES=3000 by default)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database, type ListImagesQuery } from '../src/index.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 3000);
const WORDS = [
  'red',
  'blue',
  'green',
  'circle',
  'square',
  'triangle',
  'small',
  'large',
  'left',
  'right',
  'above',
  'below',
];
const pick = () => WORDS[Math.floor(Math.random() * WORDS.length)] as string;
const sentence = () => ['a', pick(), pick(), pick(), 'and', 'a', pick(), pick()].join(' ');

async function populate(db: Database): Promise<void> {
  const models = ['bench-lstm', 'bench-attention'];
  for (const [index, id] of models.entries()) {
    await db.models.upsertFromManifest({
      id,
      variant: index ? 'attention' : 'lstm',
      format: 1,
      dataset: { name: 'shapes' },
    });
  }
  const splits = ['train', 'val', 'test'] as const;
  for (let start = 0; start < IMAGES; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, IMAGES - start) }, async (_, offset) => {
        const n = start + offset;
        const { image } = await db.images.upsertBySha256({
          bytes: randomBytes(1500),
          mime: 'image/png',
          width: 64,
          height: 64,
          thumbnail: randomBytes(600),
          source: 'dataset',
          dataset: 'shapes',
          split: splits[n % 3],
          filename: `${n}.png`,
        });
        if (n % 2 === 0) await db.references.add(image.id, [sentence(), sentence(), sentence()]);
        for (const modelId of models) {
          const text = sentence();
          const tokens = text.split(' ');
          const caption = await db.captions.save({
            imageId: image.id,
            modelId,
            settings: { beamSize: 3, maxLength: 20 },
            text,
            tokens,
            tokenIds: tokens.map((_, i) => i + 4),
            logProb: -4,
            nBest: [{ text, tokens, logProb: -4, score: -0.5 }],
            attention: null,
            sentenceBleu: n % 2 === 0 ? Math.random() : null,
            latencyMs: 10,
          });
          if (n % 3 === 0) await db.ratings.rate({ captionId: caption.id, voterId: `v${n % 7}`, stars: 1 + (n % 5) });
        }
      }),
    );
  }
}

/** What one gallery request costs the database: the page, its count, and the batched field loads. */
async function galleryPage(db: Database, query: ListImagesQuery): Promise<void> {
  const loaders = db.createLoaders({ voterId: 'v1' });
  const [page] = await Promise.all([db.images.list({ ...query, first: 24 }), db.images.count(query.filter)]);
  const ids = page.items.map((item) => item.image.id);
  const [captions] = await Promise.all([
    loaders.captionsByImageId.loadMany(ids),
    loaders.referencesByImageId.loadMany(ids),
  ]);
  const captionList = captions.flatMap((entry) => (Array.isArray(entry) ? entry : []));
  await Promise.all([
    loaders.ratingSummaryByCaptionId.loadMany(captionList.map((caption) => caption.id)),
    loaders.myRatingByCaptionId.loadMany(captionList.map((caption) => caption.id)),
    loaders.modelById.loadMany([...new Set(captionList.map((caption) => caption.modelId))]),
  ]);
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
  return `p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms`;
}

async function measure(db: Database, query: ListImagesQuery, requests: number, concurrency: number) {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) {
        const t0 = performance.now();
        await galleryPage(db, query);
        samples.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return `${(requests / seconds).toFixed(0).padStart(5)} pages/s  ${percentiles(samples)}`;
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'captioner-db-bench-'));
await fs.chmod(dataDir, 0o755);
const db = await openDatabase({
  dataDir,
  databaseUrl: null,
  poolSize: 20,
  migrationsDir: fileURLToPath(new URL('../../../prisma/migrations', import.meta.url)),
});
try {
  const t0 = performance.now();
  await populate(db);
  console.log(
    `populated ${IMAGES} images, ${IMAGES * 2} captions in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const queries: [string, ListImagesQuery][] = [
    ['newest', {}],
    ['bleu', { sort: 'bleu' }],
    ['rating', { sort: 'rating' }],
    ['split=test newest', { filter: { split: 'test' } }],
    ['model + minBleu 0.5, bleu', { filter: { modelId: 'bench-attention', minBleu: 0.5 }, sort: 'bleu' }],
    ['hasReferences + minRating 3', { filter: { hasReferences: true, minRating: 3 } }],
    ['search "red circle"', { filter: { search: 'red circle' } }],
  ];
  for (const [label, query] of queries) {
    await measure(db, query, 20, 1); // warm-up
    const sequential = await measure(db, query, 100, 1);
    const concurrent = await measure(db, query, 400, 20);
    console.log(`${label.padEnd(30)} 1 client: ${sequential}\n${''.padEnd(30)} 20 clients: ${concurrent}`);
  }
  // Deep pages cost the same as the first with keyset pagination.
  let after: string | null = null;
  for (let page = 0; page < 50; page++) after = (await db.images.list({ sort: 'bleu', first: 24, after })).endCursor;
  const deep = await measure(db, { sort: 'bleu', after }, 100, 1);
  console.log(`${'bleu, page 51'.padEnd(30)} 1 client: ${deep}`);
} finally {
  await db.close();
  await fs.rm(dataDir, { recursive: true, force: true });
}
