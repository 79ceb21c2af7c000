// Dataset import of a fixture in each layout training/ reads, through the GraphQL mutation and the command line;
// resumable (re-running skips what is stored) and optionally captioning as it goes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { readDataset } from '@captioner/api';
import { fixtureModelsDir } from '../model-dirs.js';
import { ADMIN, fixturesDir, loadedModels, repoRoot, startTestApi, waitUntil, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';
import type { ImportDatasetInput, ImportJobRowFragment } from '../generated/graphql.js';
import { makePng } from './png.js';

const run = promisify(execFile);

graphql(`
  fragment ImportJobRow on ImportJob {
    id
    status
    format
    dataset
    total
    processed
    created
    skipped
    failed
    error
  }
`);

async function importAndWait(api: TestApi, input: ImportDatasetInput): Promise<ImportJobRowFragment> {
  const { importDataset } = await api.gql(
    graphql(`
      mutation ImportImportDataset($input: ImportDatasetInput!) {
        importDataset(input: $input) {
          job {
            id
            status
          }
        }
      }
    `),
    { input },
    ADMIN,
  );
  return waitUntil('the import job', async () => {
    const { importJob } = await api.gql(
      graphql(`
        query ImportImportJob($id: ID!) {
          importJob(id: $id) {
            ...ImportJobRow
          }
        }
      `),
      { id: importDataset.job.id },
    );
    assert.notEqual(importJob!.status, 'FAILED', importJob!.error ?? '');
    return importJob!.status === 'SUCCEEDED' ? importJob : null;
  });
}

/** Images, references and splits as the API serves them, keyed by file name. */
async function stored(api: TestApi) {
  const { images } = await api.gql(
    graphql(`
      query ImportImages {
        images(first: 100) {
          edges {
            node {
              filename
              split
              dataset
              source
              references
            }
          }
        }
      }
    `),
  );
  return new Map(images.edges.map((e) => [e.node.filename, e.node]));
}

for (const [layout, format] of [
  ['flickr8k', 'FLICKR8K'],
  ['karpathy', 'KARPATHY'],
  ['kaggle', 'KAGGLE'],
] as const) {
  describe(`import of the ${layout} fixture`, () => {
    let api: TestApi;
    after(async () => {
      await api?.stop();
    });
    test('stores every image with its references and split, and a second import skips them all', async () => {
      api = await startTestApi({ CAPTIONER_CAPTION_ON_UPLOAD: 'false' });
      const expected = await readDataset(path.join(fixturesDir, layout)); // same reader training/ is tested against
      const job = await importAndWait(api, { path: layout, dataset: `${layout}-fixture` });
      assert.equal(job.format, format, 'format detected');
      assert.deepEqual(
        [job.total, job.created, job.skipped, job.failed],
        [expected.examples.length, expected.examples.length, 0, 0],
      );
      const images = await stored(api);
      assert.equal(images.size, expected.examples.length);
      for (const example of expected.examples) {
        const image = images.get(example.file);
        assert.ok(image, `${example.file} stored`);
        assert.equal(image.split, example.split.toUpperCase());
        assert.equal(image.dataset, `${layout}-fixture`);
        assert.equal(image.source, 'DATASET');
        assert.deepEqual(image.references, example.captions);
      }
      const again = await importAndWait(api, { path: layout, format, dataset: `${layout}-fixture` });
      assert.deepEqual([again.created, again.skipped, again.failed], [0, expected.examples.length, 0]);
      assert.deepEqual(await stored(api), images, 'nothing changed');
    });
  });
}

describe('the import command', () => {
  let dataDir: string;
  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  test('imports part, resumes the rest, captions with --caption, on its own database', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'captioner-import-cli-'));
    await chmod(dataDir, 0o755);
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const cli = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/api/src/cli/import.ts'), ...args], {
        cwd: repoRoot,
        env: {
          ...env,
          CAPTIONER_DATA_DIR: path.join(dataDir, 'data'),
          CAPTIONER_MODELS_DIR: fixtureModelsDir,
        },
      });
    const dir = path.join(fixturesDir, 'kaggle');
    const total = (await readDataset(dir)).examples.length;
    const first = await cli([dir, '--limit', '3']);
    assert.match(first.stdout, /3 new, 0 already stored, 0 failed of 3/);
    assert.match(first.stderr, /import /, 'progress is shown');
    const second = await cli([dir, '--caption']);
    assert.match(second.stdout, new RegExp(`${total - 3} new, 3 already stored, 0 failed of ${total}`));
    assert.match(second.stdout, /Captioned/);

    // The API on the same data directory serves what the command stored, captioned by every model.
    const api = await startTestApi({
      CAPTIONER_DATA_DIR: path.join(dataDir, 'data'),
      CAPTIONER_CAPTION_ON_UPLOAD: 'false',
    });
    try {
      const models = await loadedModels(api);
      const { images } = await api.gql(
        graphql(`
          query ImportImages2 {
            images(first: 100) {
              totalCount
              edges {
                node {
                  references
                  captions {
                    model {
                      id
                    }
                  }
                }
              }
            }
          }
        `),
      );
      assert.equal(images.totalCount, total);
      for (const { node } of images.edges) {
        assert.ok(node.references.length > 0);
        assert.deepEqual(node.captions.map((c) => c.model.id).sort(), models.map((m) => m.id).sort());
      }
    } finally {
      await api.stop(); // its own temp dir only; the command's data dir is removed in after()
    }
    const usage = await cli([]).catch((error: { code: number; stderr: string }) => error);
    assert.equal((usage as { code: number }).code, 2);
    assert.match((usage as { stderr: string }).stderr, /Usage: npm run import/);
  });
});

/** A Kaggle-layout dataset of `count` distinct generated images, big enough that its import takes a while. */
async function writeGeneratedDataset(dir: string, count: number): Promise<void> {
  await mkdir(path.join(dir, 'Images'), { recursive: true });
  const rows = ['image,caption'];
  for (let i = 0; i < count; i++) {
    const name = `generated_${String(i).padStart(4, '0')}.jpg`; // PNG bytes; the reader lists *.jpg names
    await writeFile(path.join(dir, 'Images', name), makePng(96 + i, 64));
    rows.push(`${name},"a gradient number ${i}"`);
  }
  await writeFile(path.join(dir, 'captions.txt'), `${rows.join('\n')}\n`);
}

describe('two API instances on one database', () => {
  let a: TestApi | undefined;
  let b: TestApi | undefined;
  let importRoot: string | undefined;
  after(async () => {
    await b?.stop();
    await a?.stop();
    if (importRoot) await rm(importRoot, { recursive: true, force: true });
  });
  test('a job started through A is visible, with its progress, through importJob on B; B refuses a second start', async () => {
    const images = 150;
    importRoot = await mkdtemp(path.join(os.tmpdir(), 'captioner-import-root-'));
    await chmod(importRoot, 0o755);
    await writeGeneratedDataset(path.join(importRoot, 'generated'), images);
    const env = { CAPTIONER_CAPTION_ON_UPLOAD: 'false', CAPTIONER_IMPORT_ROOT: importRoot };
    a = await startTestApi(env);
    b = await startTestApi({ ...env, DATABASE_URL: a.service.services.db.connectionString });

    const start = graphql(`
      mutation ImportStartReplica($input: ImportDatasetInput!) {
        importDataset(input: $input) {
          job {
            id
            status
            createdAt
            startedAt
          }
        }
      }
    `);
    const { importDataset } = await a.gql(start, { input: { path: 'generated' } }, ADMIN);
    const id = importDataset.job.id;
    assert.equal(importDataset.job.status, 'QUEUED', 'stored queued; the worker marks it running');
    assert.equal(importDataset.job.startedAt, null);

    // The same directory cannot be imported twice at once, whichever replica is asked.
    const second = await b.request(start, { input: { path: 'generated' } }, ADMIN);
    assert.equal(second.errors?.[0]?.extensions?.code, 'CONFLICT', JSON.stringify(second.errors));
    assert.equal(second.errors?.[0]?.extensions?.jobId, id);

    const seen: ImportJobRowFragment[] = [];
    const last = await waitUntil(
      'the import, as B reports it',
      async () => {
        const { importJob } = await b!.gql(
          graphql(`
            query ImportReplicaJob($id: ID!) {
              importJob(id: $id) {
                ...ImportJobRow
              }
            }
          `),
          { id },
        );
        assert.ok(importJob, 'B knows the job A started');
        seen.push(importJob);
        return importJob.status === 'SUCCEEDED' || importJob.status === 'FAILED' ? importJob : null;
      },
      120_000,
    );
    assert.deepEqual(
      [last.status, last.total, last.processed, last.created, last.skipped, last.failed, last.error],
      ['SUCCEEDED', images, images, images, 0, 0, null],
    );
    assert.ok(
      seen.some((job) => job.status === 'RUNNING' && job.processed > 0 && job.processed < images),
      `B saw the import part-way: ${JSON.stringify(seen.map((job) => [job.status, job.processed]))}`,
    );
    const order = ['QUEUED', 'RUNNING', 'SUCCEEDED'];
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.processed >= seen[i - 1]!.processed, 'progress never goes back');
      assert.ok(order.indexOf(seen[i]!.status) >= order.indexOf(seen[i - 1]!.status), 'nor does the status');
    }
  });
});
