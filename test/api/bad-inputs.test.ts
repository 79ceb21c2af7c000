// Bad inputs get the right error code and a message, and change nothing in the database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, fixtureImages, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { makePng } from './png.js';
import { graphql } from '../generated/index.js';

let api: TestApi;
let imageId: string;
let captionIds: string[];
const maxBytes = 60_000;

before(async () => {
  api = await startTestApi({
    CAPTIONER_MAX_UPLOAD_BYTES: String(maxBytes),
    CAPTIONER_MAX_PIXELS: '5000',
    CAPTIONER_MAX_UPLOAD_FILES: '4',
  });
  const [image] = await fixtureImages(1);
  const { body } = await api.upload([{ name: image!.name, bytes: image!.bytes }]);
  imageId = body.results[0]!.imageId!;
  const models = await loadedModels(api);
  captionIds = await waitUntil('captions', async () => {
    const r = await api.gql(
      graphql(`
        query BadInputsImage($id: ID!) {
          image(id: $id) {
            captions {
              id
            }
          }
        }
      `),
      { id: imageId },
    );
    return r.image!.captions.length === models.length ? r.image!.captions.map((c) => c.id) : null;
  });
  await api.gql(
    'mutation($c: ID!) { rateCaption(input: { captionId: $c, stars: 3 }) { rating { stars } } }',
    { c: captionIds[0] },
    'voter-1',
  );
});
after(async () => {
  await api?.stop();
});

/** Everything a bad request could have changed. */
async function snapshot() {
  return api.gql(
    `{
    images(first: 100) { totalCount edges { node { id captions(all: true) { id text ratings { count mean } } references } } }
    leaderboard { ratingCount preferenceCount }
    models { id captionCount }
    evaluationRuns { id }
  }`,
    {},
    'voter-1',
  );
}

async function expectGraphqlError(query: string, variables: Record<string, unknown>, code: string, voter = 'voter-1') {
  const response = await api.request(query, variables, voter);
  assert.ok(response.errors?.length, `expected ${code} for ${query}, got data ${JSON.stringify(response.data)}`);
  assert.equal(response.errors[0]!.extensions?.code, code, JSON.stringify(response.errors));
  assert.ok(response.errors[0]!.message.length > 10);
  return response;
}

async function expectUploadError(files: { name: string; bytes: Uint8Array }[], code: string, status: number) {
  const { status: got, body } = await api.upload(files);
  assert.equal(got, status, JSON.stringify(body));
  const error = body.error ?? body.results[0]?.error;
  assert.equal(error?.code, code, JSON.stringify(body));
  assert.ok(error.message.length > 10);
}

test('bad uploads are refused with their codes and store nothing', async () => {
  const before = await snapshot();
  const [image] = await fixtureImages(1);
  await expectUploadError(
    [{ name: 'notes.txt', bytes: Buffer.from('this is not an image at all') }],
    'UNSUPPORTED_IMAGE',
    415,
  );
  await expectUploadError(
    [{ name: 'cut.jpg', bytes: image!.bytes.subarray(0, Math.floor(image!.bytes.length / 2)) }],
    'UNSUPPORTED_IMAGE',
    415,
  );
  await expectUploadError([{ name: 'empty.jpg', bytes: new Uint8Array(0) }], 'BAD_USER_INPUT', 400);
  await expectUploadError(
    [{ name: 'big.png', bytes: Buffer.concat([makePng(8, 8), Buffer.alloc(maxBytes)]) }],
    'PAYLOAD_TOO_LARGE',
    413,
  );
  await expectUploadError([{ name: 'huge.png', bytes: makePng(100, 100) }], 'IMAGE_TOO_LARGE', 413);
  await expectUploadError(
    Array.from({ length: 5 }, (_, i) => ({ name: `${i}.png`, bytes: makePng(8, 8 + i) })),
    'PAYLOAD_TOO_LARGE',
    413,
  );

  // Request-level problems: empty body, not multipart, no file field, a body over the request limit.
  const post = (init: RequestInit) =>
    fetch(`${api.url}/upload`, { method: 'POST', ...init }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { error: { code: string } },
    }));
  let r = await post({ headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '' });
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_USER_INPUT']);
  r = await post({ headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_USER_INPUT']);
  const form = new FormData();
  form.append('image', 'not a file');
  r = await post({ body: form });
  assert.deepEqual([r.status, r.body.error.code], [400, 'BAD_USER_INPUT']);
  const huge = new FormData();
  huge.append('file', new Blob([Buffer.alloc(4 * (maxBytes + 64 * 1024) + 1024)]), 'x.png');
  r = await post({ body: huge });
  assert.deepEqual([r.status, r.body.error.code], [413, 'PAYLOAD_TOO_LARGE']);
  const crossSite = await post({
    body: (() => {
      const f = new FormData();
      f.append('file', new Blob([new Uint8Array(image!.bytes)]), 'a.jpg');
      return f;
    })(),
    headers: { 'sec-fetch-site': 'cross-site' },
  });
  assert.deepEqual([crossSite.status, crossSite.body.error.code], [400, 'BAD_REQUEST']);

  // A mix: good files are stored, bad ones reported, in order.
  const mixed = await api.upload([
    { name: 'bad.txt', bytes: Buffer.from('nope') },
    { name: image!.name, bytes: image!.bytes },
  ]);
  assert.equal(mixed.status, 200);
  assert.equal(mixed.body.results[0]!.error?.code, 'UNSUPPORTED_IMAGE');
  assert.equal(mixed.body.results[1]!.imageId, imageId);
  assert.deepEqual(await snapshot(), before);
});

test('malformed GraphQL requests get parse/validation/request codes', async () => {
  const before = await snapshot();
  let response = await api.request('{ images { edges { node { id } }');
  assert.equal(response.status, 400);
  assert.equal(response.errors![0]!.extensions?.code, 'GRAPHQL_PARSE_FAILED');
  response = await api.request('{ images { edges { node { nonsense } } } }');
  assert.equal(response.status, 400);
  assert.equal(response.errors![0]!.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  response = await api.request('mutation { rateCaption(input: { captionId: "x", stars: 2.5 }) { rating { stars } } }');
  assert.equal(response.errors![0]!.extensions?.code, 'GRAPHQL_VALIDATION_FAILED');
  response = await api.request(
    'mutation($s: Int!) { rateCaption(input: { captionId: "x", stars: $s }) { rating { stars } } }',
    { s: 'five' },
  );
  assert.equal(response.errors![0]!.extensions?.code, 'BAD_USER_INPUT');
  for (const body of ['{not json', '']) {
    const raw = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(raw.status, 400);
    assert.equal(
      ((await raw.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      'BAD_REQUEST',
    );
  }
  // CSRF prevention: a "simple" request (as a foreign page's form could send) is refused before execution.
  const csrf = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', 'x-voter-session': await api.voterSession('voter-1') },
    body: JSON.stringify({
      query: `mutation { rateCaption(input: { captionId: "${captionIds[0]}", stars: 1 }) { rating { stars } } }`,
    }),
  });
  assert.equal(csrf.status, 400);
  assert.equal(
    ((await csrf.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    'BAD_REQUEST',
  );
  assert.deepEqual(await snapshot(), before);
});

test('too deep and too costly queries are refused before running', async () => {
  const deep =
    '{ images { edges { node { captions { image { captions { image { captions { image { captions { image { id } } } } } } } } } } } }';
  const response = await expectGraphqlError(deep, {}, 'QUERY_TOO_COMPLEX');
  assert.equal(response.status, 400);
  await expectGraphqlError(
    '{ images(first: 100) { edges { node { captions(all: true) { nBest { text } attention { steps { word weights } } image { references } } } } } }',
    {},
    'QUERY_TOO_COMPLEX',
  );
  const ok = await api.request('query { a: images(first: 100) { edges { node { id } } } }');
  assert.equal(ok.errors, undefined);
});

test('unknown ids: NOT_FOUND from mutations, null from lookups, 404 from media', async () => {
  const before = await snapshot();
  const unknown = '00000000-0000-4000-8000-000000000000';
  const [model] = await loadedModels(api);
  await expectGraphqlError(
    'mutation($c: ID!) { rateCaption(input: { captionId: $c, stars: 3 }) { rating { id } } }',
    { c: unknown },
    'NOT_FOUND',
  );
  await expectGraphqlError(
    'mutation($c: ID!) { rateCaption(input: { captionId: $c, stars: 3 }) { rating { id } } }',
    { c: 'not-an-id' },
    'NOT_FOUND',
  );
  await expectGraphqlError(
    'mutation($i: ID!, $m: ID!) { captionImage(input: { imageId: $i, modelId: $m }) { cached } }',
    { i: unknown, m: model!.id },
    'NOT_FOUND',
  );
  await expectGraphqlError(
    'mutation($i: ID!) { captionImage(input: { imageId: $i, modelId: "no-such-model" }) { cached } }',
    { i: imageId },
    'NOT_FOUND',
  );
  await expectGraphqlError(
    'mutation($i: ID!, $a: ID!, $b: ID!) { recordPreference(input: { imageId: $i, captionAId: $a, captionBId: $b, winner: A }) { preference { id } } }',
    { i: imageId, a: captionIds[0], b: unknown },
    'NOT_FOUND',
  );
  await expectGraphqlError(
    'mutation { startEvaluationRun(input: { modelId: "no-such-model", split: TEST }) { run { id } } }',
    {},
    'NOT_FOUND',
    ADMIN,
  );
  const lookups = await api.gql(
    graphql(`
      query BadInputsImage2($u: ID!) {
        image(id: $u) {
          id
        }
        caption(id: $u) {
          id
        }
        model(id: "nope") {
          id
        }
        evaluationRun(id: $u) {
          id
        }
      }
    `),
    { u: unknown },
  );
  assert.deepEqual(lookups, { image: null, caption: null, model: null, evaluationRun: null });
  for (const path of [`/media/images/${unknown}/original`, '/media/images/garbage/thumbnail', '/nowhere']) {
    const r = await fetch(`${api.url}${path}`);
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  }
  assert.deepEqual(await snapshot(), before);
});

test('out-of-range arguments: rating 0 or 6, no voter, bad settings, pages and filters', async () => {
  const before = await snapshot();
  const rate = 'mutation($c: ID!, $s: Int!) { rateCaption(input: { captionId: $c, stars: $s }) { rating { id } } }';
  await expectGraphqlError(rate, { c: captionIds[0], s: 0 }, 'BAD_USER_INPUT');
  await expectGraphqlError(rate, { c: captionIds[0], s: 6 }, 'BAD_USER_INPUT');
  const noVoter = await api.request(rate, { c: captionIds[0], s: 4 });
  assert.equal(noVoter.errors![0]!.extensions?.code, 'UNAUTHENTICATED');
  const [model] = await loadedModels(api);
  const caption =
    'mutation($i: ID!, $m: ID!, $b: Int, $l: Int) { captionImage(input: { imageId: $i, modelId: $m, beamSize: $b, maxLength: $l }) { cached } }';
  await expectGraphqlError(caption, { i: imageId, m: model!.id, b: 0 }, 'BAD_USER_INPUT');
  await expectGraphqlError(caption, { i: imageId, m: model!.id, b: 11 }, 'BAD_USER_INPUT');
  await expectGraphqlError(caption, { i: imageId, m: model!.id, l: 0 }, 'BAD_USER_INPUT');
  const prefer =
    'mutation($a: ID!, $b: ID!, $i: ID!) { recordPreference(input: { imageId: $i, captionAId: $a, captionBId: $b, winner: TIE }) { preference { id } } }';
  await expectGraphqlError(prefer, { i: imageId, a: captionIds[0], b: captionIds[0] }, 'BAD_USER_INPUT');
  await expectGraphqlError('{ images(first: 0) { totalCount } }', {}, 'BAD_USER_INPUT');
  await expectGraphqlError('{ images(first: 101) { totalCount } }', {}, 'BAD_USER_INPUT');
  await expectGraphqlError('{ images(after: "garbage") { totalCount } }', {}, 'BAD_USER_INPUT');
  await expectGraphqlError('{ images(filter: { minRating: 7 }) { totalCount } }', {}, 'BAD_USER_INPUT');
  await expectGraphqlError('{ images(filter: { maxBleu: -1 }) { totalCount } }', {}, 'BAD_USER_INPUT');
  await expectGraphqlError(
    'mutation { startEvaluationRun(input: { modelId: "' + model!.id + '", split: TEST }) { run { id } } }',
    {},
    'BAD_USER_INPUT',
    ADMIN,
  ); // no dataset images
  await expectGraphqlError(
    'mutation { importDataset(input: { path: "/etc" }) { job { id } } }',
    {},
    'BAD_USER_INPUT',
    ADMIN,
  );
  await expectGraphqlError(
    'mutation { importDataset(input: { path: "no-such-dir" }) { job { id } } }',
    {},
    'BAD_USER_INPUT',
    ADMIN,
  );
  // Without the admin token, admin operations are FORBIDDEN and say how to pass it.
  for (const admin of [
    'mutation { importDataset(input: { path: "flickr8k" }) { job { id } } }',
    'mutation { startEvaluationRun(input: { modelId: "' + model!.id + '", split: TEST }) { run { id } } }',
  ]) {
    const refused = await expectGraphqlError(admin, {}, 'FORBIDDEN');
    assert.match(refused.errors![0]!.message, /Authorization: Bearer/);
  }
  assert.deepEqual(await snapshot(), before);
});
