// Live progress across replicas: two API processes' services on ONE PostgreSQL (B opens A's embedded database
// through DATABASE_URL). A graphql-ws client subscribed on B sees an import, an evaluation run and captions that
// A did, in order and to completion, through PostgreSQL LISTEN/NOTIFY; B's LISTEN connection is killed and comes
// back; the socket carries subscriptions only and applies the voter session. Also measures NOTIFY -> client.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql } from '../generated/index.js';
import type {
  LiveCaptionsSubscription,
  LiveEvaluationSubscription,
  LiveImportSubscription,
} from '../generated/graphql.js';
import { ADMIN, fixtureImages, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';

let a: TestApi;
let b: TestApi;
let client: Client;

before(async () => {
  // Replicas share the voter-session secret, as a deployment would.
  const shared = { CAPTIONER_SESSION_SECRET: randomBytes(32).toString('base64'), CAPTIONER_CAPTION_ON_UPLOAD: 'false' };
  a = await startTestApi(shared);
  b = await startTestApi({ ...shared, DATABASE_URL: a.service.services.db.connectionString });
  client = createClient({
    url: `${b.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: async () => ({ 'x-voter-session': await a.voterSession('watcher') }),
    lazy: false,
    retryAttempts: 0,
  });
});
after(async () => {
  await client?.dispose();
  await b?.stop();
  await a?.stop();
});

/** Every value a subscription yields until it completes (or errors), with when each arrived. */
function collect<T>(query: string, variables: Record<string, unknown>) {
  const values: { data: T; at: number }[] = [];
  let listener: (() => void) | null = null;
  const done = new Promise<void>((resolve, reject) => {
    const unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          else values.push({ data: result.data as T, at: performance.now() });
          listener?.();
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(),
      },
    );
    collectors.push(unsubscribe);
  });
  const count = (n: number, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${values.length} of ${n} events arrived`)), timeoutMs);
      listener = () => {
        if (values.length >= n) {
          clearTimeout(timer);
          resolve();
        }
      };
      listener();
    });
  return { values, done, count };
}
const collectors: (() => void)[] = [];
after(() => collectors.forEach((unsubscribe) => unsubscribe()));

const importProgress = graphql(`
  subscription LiveImport($id: ID!) {
    importJobProgress(id: $id) {
      id
      status
      processed
      total
      created
      error
    }
  }
`);
const evaluationProgress = graphql(`
  subscription LiveEvaluation($id: ID!) {
    evaluationRunProgress(id: $id) {
      id
      status
      processed
      total
      bleu
    }
  }
`);
const captioned = graphql(`
  subscription LiveCaptions($ids: [ID!]!) {
    imageCaptioned(imageIds: $ids) {
      image {
        id
        uploadedByMe
        captions(all: true) {
          id
          model {
            id
          }
        }
      }
      model {
        id
      }
      caption {
        id
        decode {
          beamSize
        }
      }
      error
    }
  }
`);

type ImportEvent = LiveImportSubscription;
type RunEvent = LiveEvaluationSubscription;
type CaptionEvent = LiveCaptionsSubscription;

test('B streams an import A runs, in order, to SUCCEEDED, and then answers importJob for it', async () => {
  const { importDataset } = await a.gql(
    graphql(`
      mutation LiveImportStart($input: ImportDatasetInput!) {
        importDataset(input: $input) {
          job {
            id
          }
        }
      }
    `),
    { input: { path: 'flickr8k', dataset: 'live' } },
    ADMIN,
  );
  const id = importDataset.job.id;
  const stream = collect<ImportEvent>(importProgress.toString(), { id });
  await stream.done;
  const states = stream.values.map((v) => v.data.importJobProgress);
  assert.ok(states.length >= 1);
  assert.ok(states.every((s) => s.id === id));
  const last = states.at(-1)!;
  assert.equal(last.status, 'SUCCEEDED', JSON.stringify(states));
  assert.equal(last.processed, last.total);
  assert.equal(last.created, 8);
  assert.ok(
    states.slice(0, -1).every((s) => s.status === 'QUEUED' || s.status === 'RUNNING'),
    'only the last state is final',
  );
  for (let i = 1; i < states.length; i++)
    assert.ok(states[i]!.processed >= states[i - 1]!.processed, 'progress never goes back');

  // B never ran the job, yet answers for it from the database (the polling fallback works on any replica).
  const { importJob } = await b.gql(
    graphql(`
      query LiveImportJob($id: ID!) {
        importJob(id: $id) {
          status
          processed
          total
        }
      }
    `),
    { id },
  );
  assert.deepEqual(importJob, { status: 'SUCCEEDED', processed: 8, total: 8 });
});

test('B streams an evaluation run A executes: RUNNING chunks, then SUCCEEDED with BLEU, then completes', async () => {
  const [model] = await loadedModels(a);
  const { startEvaluationRun } = await a.gql(
    graphql(`
      mutation LiveEvaluationStart($input: StartEvaluationRunInput!) {
        startEvaluationRun(input: $input) {
          run {
            id
          }
        }
      }
    `),
    { input: { modelId: model!.id, split: 'TRAIN', dataset: 'live', beamSize: 2 } },
    ADMIN,
  );
  const stream = collect<RunEvent>(evaluationProgress.toString(), { id: startEvaluationRun.run.id });
  await stream.done;
  const states = stream.values.map((v) => v.data.evaluationRunProgress);
  const last = states.at(-1)!;
  assert.equal(last.status, 'SUCCEEDED', JSON.stringify(states));
  assert.equal(last.processed, last.total);
  assert.ok(last.total > 0);
  assert.equal(last.bleu?.length, 4);
  assert.ok(states.slice(0, -1).every((s) => s.status === 'QUEUED' || s.status === 'RUNNING'));
  for (let i = 1; i < states.length; i++) assert.ok(states[i]!.processed >= states[i - 1]!.processed);
});

test("B streams the captions of A's upload, one event per model, and the voter session applies", async () => {
  const [image] = await fixtureImages(1);
  // A different byte so it is a new image, not one the import stored.
  const bytes = Buffer.concat([image!.bytes, Buffer.from([0])]);
  const upload = await a.upload([{ name: 'live.jpg', bytes, type: 'image/jpeg' }], 'watcher');
  const imageId = upload.body.results[0]!.imageId!;
  const stream = collect<CaptionEvent>(captioned.toString(), { ids: [imageId] });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is registered on B

  const models = await loadedModels(a);
  assert.ok(models.length >= 2);
  const made = new Map<string, string>();
  for (const model of models) {
    const { captionImage } = await a.gql(
      graphql(`
        mutation LiveCaption($input: CaptionImageInput!) {
          captionImage(input: $input) {
            caption {
              id
            }
          }
        }
      `),
      { input: { imageId, modelId: model.id } },
      'watcher',
    );
    made.set(model.id, captionImage.caption.id);
  }
  await stream.count(models.length);
  const events = stream.values.map((v) => v.data.imageCaptioned);
  assert.deepEqual(
    events.map((e) => e.model.id),
    models.map((m) => m.id),
    'one event per model, in the order A captioned',
  );
  for (const event of events) {
    assert.equal(event.error, null);
    assert.equal(event.caption?.id, made.get(event.model.id));
    assert.equal(event.image.id, imageId);
    assert.ok(
      event.image.captions.some((c) => c.id === event.caption?.id),
      'the image as stored now',
    );
    assert.equal(event.image.uploadedByMe, true, "the socket's voter session is the uploader");
  }
  // The last event's image has every model's caption.
  assert.deepEqual(new Set(events.at(-1)!.image.captions.map((c) => c.model.id)), new Set(made.keys()));
});

test("B's LISTEN connection is killed, comes back, and events flow again", async () => {
  const [image] = await fixtureImages(2);
  const bytes = Buffer.concat([image!.bytes, Buffer.from([1])]);
  const upload = await a.upload([{ name: 'again.jpg', bytes, type: 'image/jpeg' }]);
  const imageId = upload.body.results[0]!.imageId!;
  const stream = collect<CaptionEvent>(captioned.toString(), { ids: [imageId] });

  const bus = b.service.services.progress;
  const before = bus.listenerPid!;
  const { rows } = await a.service.services.db.pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [
    before,
  ]);
  assert.equal(rows[0]!.ok, true);
  await waitUntil(
    'the listener to reconnect',
    async () => bus.listenerPid !== null && bus.listenerPid !== before,
    15_000,
  );

  const [model] = await loadedModels(a);
  await a.gql(
    graphql(`
      mutation LiveCaptionAgain($input: CaptionImageInput!) {
        captionImage(input: $input) {
          cached
        }
      }
    `),
    { input: { imageId, modelId: model!.id, beamSize: 1 } },
  );
  await stream.count(1, 15_000);
  assert.equal(stream.values[0]!.data.imageCaptioned.caption?.decode.beamSize, 1);
});

test('the socket refuses queries and unknown runs in GraphQL error shape; HTTP refuses subscriptions', async () => {
  const query = collect<unknown>('query { models { id } }', {});
  await assert.rejects(query.done, /subscriptions only/);
  const unknown = collect<unknown>(evaluationProgress.toString(), { id: '00000000-0000-0000-0000-000000000000' });
  await assert.rejects(unknown.done, /NOT_FOUND/);
  // And over HTTP a subscription is refused, saying where it runs.
  const overHttp = await b.request(evaluationProgress, { id: '00000000-0000-0000-0000-000000000000' });
  assert.equal(overHttp.status, 400);
  assert.equal(overHttp.errors?.[0]?.extensions?.code, 'BAD_REQUEST');
  assert.match(overHttp.errors![0]!.message, /WebSocket/);
});

test('NOTIFY to client event latency on B (a caption event sent straight with pg_notify)', async (t) => {
  const { images } = await a.gql(
    graphql(`
      query LiveAnyCaption {
        images(first: 1) {
          edges {
            node {
              id
              captions {
                id
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
  const node = images.edges[0]!.node;
  const caption = node.captions[0]!;
  const stream = collect<CaptionEvent>(captioned.toString(), { ids: [node.id] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const payload = JSON.stringify({
    kind: 'caption',
    imageId: node.id,
    modelId: caption.model.id,
    captionId: caption.id,
    error: null,
  });
  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const sent = performance.now();
    await a.service.services.db.pool.query('SELECT pg_notify($1, $2)', ['captioner_progress', payload]);
    await stream.count(i + 1, 10_000);
    latencies.push(stream.values[i]!.at - sent);
  }
  latencies.sort((x, y) => x - y);
  const median = latencies[10]!;
  t.diagnostic(
    `NOTIFY -> client event on B: median ${median.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (n=20)`,
  );
  assert.ok(median < 1000, `median ${median} ms`);
});
