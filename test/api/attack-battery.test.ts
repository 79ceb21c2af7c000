// Attacks a stranger would try against the running API, each answered with a clear error and, where it matters,
// without any change to the stored data (compared as a dump of the affected tables before and after).
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, fixturesDir, fixtureImages, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';

let api: TestApi;
let captionId: string;

let importRoot: string;

before(async () => {
  // An import root holding a symlink to a directory outside it (the fixtures, a real dataset).
  importRoot = await mkdtemp(path.join(os.tmpdir(), 'captioner-import-root-'));
  await symlink(fixturesDir, path.join(importRoot, 'escape'));
  api = await startTestApi({
    CAPTIONER_IMPORT_ROOT: importRoot,
    CAPTIONER_HEADERS_TIMEOUT_MS: '1500',
    CAPTIONER_CORS_ORIGINS: 'https://partner.example',
  });
  const [image] = await fixtureImages(1);
  const { body } = await api.upload([{ name: image!.name, bytes: image!.bytes, type: 'image/jpeg' }]);
  const imageId = body.results[0]!.imageId!;
  const models = await loadedModels(api);
  captionId = await waitUntil('captions', async () => {
    const r = await api.gql(
      graphql(`
        query AttackBatteryImage($id: ID!) {
          image(id: $id) {
            captions {
              id
            }
          }
        }
      `),
      { id: imageId },
    );
    return r.image!.captions.length === models.length ? r.image!.captions[0]!.id : null;
  });
});
after(async () => {
  await api?.stop();
  await rm(importRoot, { recursive: true, force: true });
});

/** The rows an attack on votes could change, read straight from the database. */
async function voteTables(): Promise<unknown> {
  const { pool } = api.service.services.db;
  const ratings = await pool.query('SELECT * FROM ratings ORDER BY id');
  const preferences = await pool.query('SELECT * FROM preferences ORDER BY id');
  return { ratings: ratings.rows, preferences: preferences.rows };
}

const rate = 'mutation($c: ID!, $s: Int!) { rateCaption(input: { captionId: $c, stars: $s }) { rating { stars } } }';

async function rateWithHeaders(headers: Record<string, string>) {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: rate, variables: { c: captionId, s: 5 } }),
  });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
}

test('forged, unsigned or re-signed voter ids are not a voter: UNAUTHENTICATED, nothing stored', async () => {
  const before = await voteTables();
  const real = await api.voterSession('honest');
  const [voterId, signature] = real.split('.') as [string, string];
  const otherId = '00000000-0000-4000-8000-000000000000';
  const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
  for (const headers of <Record<string, string>[]>[
    { 'x-voter-id': 'attacker-picks-this' }, // the old, unsigned header is ignored
    { 'x-voter-session': otherId }, // unsigned
    { 'x-voter-session': `${otherId}.${signature}` }, // someone else's signature on a chosen id
    { 'x-voter-session': `${voterId}.${flipped}` }, // tampered signature
    { 'x-voter-session': `${voterId}.` },
    { 'x-voter-session': `${real}x` },
  ]) {
    const body = await rateWithHeaders(headers);
    assert.equal(body.errors?.[0]?.extensions.code, 'UNAUTHENTICATED', JSON.stringify({ headers, body }));
    assert.match(body.errors![0]!.message, /voter session/);
  }
  assert.deepEqual(await voteTables(), before);
  // The genuine token works, and only for its own voter id.
  const ok = await rateWithHeaders({ 'x-voter-session': real });
  assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
  const { rows } = await api.service.services.db.pool.query('SELECT voter_id FROM ratings');
  assert.ok(rows.some((r: { voter_id: string }) => r.voter_id === voterId));
});

/** Every row an image deletion touches, for comparing before and after. */
async function imageTables(): Promise<unknown> {
  const { pool } = api.service.services.db;
  const dump = async (table: string) =>
    (await pool.query(`SELECT to_jsonb(t) - 'bytes' - 'thumbnail' AS row FROM ${table} t ORDER BY 1::text`)).rows;
  return {
    images: await dump('images'),
    captions: await dump('captions'),
    ratings: await dump('ratings'),
    preferences: await dump('preferences'),
  };
}

test("deleting someone else's upload is FORBIDDEN and changes nothing; the uploader's own delete removes it all", async () => {
  const [, image] = await fixtureImages(2);
  const { body } = await api.upload([{ name: image!.name, bytes: image!.bytes, type: 'image/jpeg' }], 'owner');
  const imageId = body.results[0]!.imageId!;
  const models = await loadedModels(api);
  const captionIds = await waitUntil('captions', async () => {
    const r = await api.gql(
      graphql(`
        query AttackBatteryImage2($id: ID!) {
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
  await api.gql(rate, { c: captionIds[0], s: 4 }, 'owner');
  await api.gql(rate, { c: captionIds[0], s: 2 }, 'stranger');
  const mine = 'query($id: ID!) { image(id: $id) { uploadedByMe } }';
  assert.deepEqual(await api.gql(mine, { id: imageId }, 'owner'), { image: { uploadedByMe: true } });
  assert.deepEqual(await api.gql(mine, { id: imageId }, 'stranger'), { image: { uploadedByMe: false } });
  assert.deepEqual(await api.gql(mine, { id: imageId }), { image: { uploadedByMe: false } });

  const remove = graphql(`
    mutation AttackBatteryDeleteImage($id: ID!) {
      deleteImage(id: $id) {
        deletedImageId
      }
    }
  `);
  const before = await imageTables();
  for (const voter of ['stranger', undefined]) {
    const refused = await api.request(remove, { id: imageId }, voter);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(refused));
    assert.match(refused.errors![0]!.message, /uploaded this image, or an admin/);
  }
  assert.deepEqual(await imageTables(), before, 'a refused delete changes nothing');

  const board = graphql(`
    query AttackBatteryLeaderboard {
      leaderboard {
        ratingCount
      }
    }
  `);
  const ratingsBefore = (await api.gql(board)).leaderboard.ratingCount;
  assert.deepEqual(await api.gql(remove, { id: imageId }, 'owner'), { deleteImage: { deletedImageId: imageId } });
  assert.deepEqual(await api.gql('query($id: ID!) { image(id: $id) { id } }', { id: imageId }), { image: null });
  const { pool } = api.service.services.db;
  for (const table of ['captions', 'preferences'])
    assert.equal((await pool.query(`SELECT 1 FROM ${table} WHERE image_id = $1`, [imageId])).rowCount, 0, table);
  assert.equal(
    (await pool.query('SELECT 1 FROM ratings WHERE caption_id = ANY($1::uuid[])', [captionIds])).rowCount,
    0,
  );
  assert.equal((await fetch(`${api.url}/media/images/${imageId}/thumbnail`)).status, 404);
  const ratingsAfter = (await api.gql(board)).leaderboard.ratingCount;
  assert.equal(ratingsAfter, ratingsBefore - 2, 'the leaderboard no longer counts its ratings');
  // Deleting is permanent: a second delete finds nothing.
  assert.equal((await api.request(remove, { id: imageId }, 'owner')).errors?.[0]?.extensions?.code, 'NOT_FOUND');
});

test('an admin may delete any image, including one uploaded without a voter session', async () => {
  const { rows } = await api.service.services.db.pool.query('SELECT id FROM images ORDER BY created_at LIMIT 1');
  const id = (rows[0] as { id: string }).id;
  const remove = 'mutation($id: ID!) { deleteImage(id: $id) { deletedImageId } }';
  assert.equal((await api.request(remove, { id }, 'someone')).errors?.[0]?.extensions?.code, 'FORBIDDEN');
  assert.deepEqual(await api.gql(remove, { id }, ADMIN), { deleteImage: { deletedImageId: id } });
});

test('an SVG with a script is refused; a GIF with a script appended is served inert (type, nosniff, sandbox)', async () => {
  const before = await imageTables();
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>',
  );
  const refused = await api.upload([{ name: 'evil.svg', bytes: svg, type: 'image/svg+xml' }]);
  assert.equal(refused.body.results[0]!.error?.code, 'UNSUPPORTED_IMAGE', JSON.stringify(refused.body));
  assert.deepEqual(await imageTables(), before);

  // The smallest valid GIF (1 x 1), then HTML after its trailer.
  const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
  const polyglot = Buffer.concat([gif, Buffer.from('<script>alert(document.cookie)</script>')]);
  const { body } = await api.upload([{ name: '<script>.gif', bytes: polyglot, type: 'text/html' }]);
  const imageId = body.results[0]!.imageId;
  assert.ok(imageId, JSON.stringify(body));
  for (const variant of ['original', 'thumbnail']) {
    const response: Response = await fetch(`${api.url}/media/images/${imageId}/${variant}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), variant === 'original' ? 'image/gif' : 'image/webp');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(
      response.headers.get('content-disposition'),
      `inline; filename="${imageId}-${variant}.${variant === 'original' ? 'gif' : 'webp'}"`,
    );
    assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/);
  }
});

test('import paths leaving the import root, by .. or through a symlink, are refused and import nothing', async () => {
  // Images and references are what an import writes (captions of earlier uploads may still be arriving).
  const imported = async () =>
    (
      await api.service.services.db.pool.query(
        'SELECT (SELECT jsonb_agg(id ORDER BY id) FROM images) AS images, (SELECT count(*) FROM reference_captions) AS refs',
      )
    ).rows;
  const before = await imported();
  const importMutation = 'mutation($path: String!) { importDataset(input: { path: $path }) { job { id } } }';
  for (const given of ['..', '../../etc', '/etc', 'escape', 'escape/flickr8k', 'escape/../escape/flickr8k']) {
    const refused = await api.request(importMutation, { path: given }, ADMIN);
    assert.equal(refused.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${given}: ${JSON.stringify(refused)}`);
    assert.match(refused.errors![0]!.message, /outside the import root/);
  }
  assert.deepEqual(await imported(), before);
});

test('SQL and tsquery metacharacters in search are plain words: answers, never errors, nothing changed', async () => {
  const before = await voteTables();
  const search = graphql(`
    query AttackBatteryImages2($s: String) {
      images(filter: { search: $s }) {
        totalCount
      }
    }
  `);
  for (const s of [
    "'; DROP TABLE images; --",
    "a' OR '1'='1",
    'circle & !square | (red <-> blue):* ',
    '!!!&&&|||:*<->()\\',
    '"unterminated',
    '%_\\%',
  ]) {
    const response = await api.request(search, { s });
    assert.equal(response.errors, undefined, `${s}: ${JSON.stringify(response.errors)}`);
    assert.equal(typeof response.data?.images.totalCount, 'number');
  }
  assert.deepEqual(await voteTables(), before);
  assert.ok(
    (
      await api.gql(
        graphql(`
          query AttackBatteryImages {
            images {
              totalCount
            }
          }
        `),
      )
    ).images.totalCount >= 1,
  );
});

test('many operations batched in one HTTP request, and oversize queries, are refused before running', async () => {
  const before = await voteTables();
  const session = await api.voterSession('batcher');
  const one = { query: rate, variables: { c: captionId, s: 1 } };
  const batched = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-voter-session': session },
    body: JSON.stringify(Array.from({ length: 100 }, () => one)),
  });
  assert.equal(batched.status, 400);
  assert.match(await batched.text(), /batch/i);
  const huge = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ models { id } } # ${'x'.repeat(2 * 1024 * 1024)}` }),
  });
  assert.equal(huge.status, 413);
  // One document, 50 aliased mutations: refused before any runs, rather than spending 50 rate-limit points.
  const aliased = `mutation($c: ID!) { ${Array.from({ length: 50 }, (_, i) => `r${i}: rateCaption(input: { captionId: $c, stars: 2 }) { rating { id } }`).join(' ')} }`;
  const manyMutations = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-voter-session': session },
    body: JSON.stringify({ query: aliased, variables: { c: captionId } }),
  });
  assert.equal(manyMutations.status, 400);
  const refused = (await manyMutations.json()) as { errors: { message: string; extensions: { code: string } }[] };
  assert.equal(refused.errors[0]!.extensions.code, 'QUERY_TOO_COMPLEX');
  assert.match(refused.errors[0]!.message, /runs 50 mutations; the limit is 10/);
  assert.deepEqual(await voteTables(), before);
});

test('headers that trickle in are cut off with 408 at the headers timeout, and the server stays responsive', async () => {
  const url = new URL(api.url);
  const started = Date.now();
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    let sent = 0;
    const header = `POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: ${'a'.repeat(200)}`;
    const drip = setInterval(() => {
      if (sent < header.length) socket.write(header[sent++]!); // one byte every 100 ms, never finishing
    }, 100);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => {
      clearInterval(drip);
      resolve(received);
    });
    socket.on('error', reject);
  });
  const seconds = (Date.now() - started) / 1000;
  assert.match(answer, /^HTTP\/1\.1 408/, `the server answers 408 (got ${JSON.stringify(answer.slice(0, 40))})`);
  assert.ok(
    seconds < 10,
    `cut off after ${seconds.toFixed(1)} s (headers timeout 1.5 s), not after Node's default 60 s`,
  );
  const ok = await api.request('{ models { id } }');
  assert.equal(ok.errors, undefined);
});

test('CORS is explicit: an unlisted origin gets no CORS headers and its preflight is refused; a listed one is allowed', async () => {
  const preflight = (origin: string) =>
    fetch(`${api.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const evil = await preflight('https://evil.example');
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.match(((await evil.json()) as { error: { message: string } }).error.message, /CAPTIONER_CORS_ORIGINS/);
  const read = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ models { id } }')}`, {
    headers: { origin: 'https://evil.example', 'apollo-require-preflight': 'true' },
  });
  assert.equal(
    read.headers.get('access-control-allow-origin'),
    null,
    'the browser will not hand the answer to evil.example',
  );

  const partner = await preflight('https://partner.example');
  assert.equal(partner.status, 204);
  assert.equal(partner.headers.get('access-control-allow-origin'), 'https://partner.example');
  assert.match(partner.headers.get('access-control-allow-headers') ?? '', /x-voter-session/);
});

/** What an error must never show a stranger: stack frames, source paths, SQL, or the schema's inner names. */
const LEAK =
  /\bat \S+ \(|\.(?:ts|js|mjs|cjs):\d+|node_modules|\/(?:work|tmp|home|root|usr)\/|\b(?:SELECT|INSERT INTO|DELETE FROM|WHERE)\b|\bUPDATE \w+ SET\b|violates|constraint "|relation "|column "|prisma/i;

test('errors never carry stack traces, source paths, SQL or constraint names', async () => {
  const unknownId = '00000000-0000-4000-8000-000000000000';
  const [image] = await fixtureImages(1);
  const voter = await api.voterSession('prober');
  const bodies: string[] = [];
  const probe = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-voter-session': voter },
      body: JSON.stringify({ query, variables }),
    });
    bodies.push(await response.text());
  };
  await probe('{ image(id: "not-a-uuid") { id } }');
  await probe('{ images(after: "garbage-cursor") { totalCount } }');
  await probe('{ images(first: 100000) { totalCount } }');
  await probe('{ images { ');
  await probe('{ images { noSuchField } }');
  await probe('query($n: Int!) { images(first: $n) { totalCount } }', { n: 'many' });
  await probe(rate, { c: captionId, s: 9 });
  await probe(rate, { c: unknownId, s: 3 });
  await probe(rate, { c: 'not-a-uuid', s: 3 });
  await probe(
    'mutation($i: ID!, $c: ID!) { recordPreference(input: { imageId: $i, captionAId: $c, captionBId: $c, winner: A }) { preference { id } } }',
    { i: unknownId, c: captionId },
  );
  await probe('mutation($i: ID!) { deleteImage(id: $i) { deletedImageId } }', { i: unknownId });
  await probe('mutation($i: ID!) { captionImage(input: { imageId: $i, modelId: "nope", beamSize: 0 }) { cached } }', {
    i: unknownId,
  });
  const notAnImage = await api.upload([{ name: 'x.jpg', bytes: Buffer.from('not an image'), type: 'image/jpeg' }]);
  bodies.push(JSON.stringify(notAnImage.body));
  const truncated = await api.upload([{ name: 't.jpg', bytes: image!.bytes.subarray(0, 200), type: 'image/jpeg' }]);
  bodies.push(JSON.stringify(truncated.body));
  for (const path of [`/media/images/not-a-uuid/original`, `/media/images/${unknownId}/thumbnail`, '/no-such-route']) {
    bodies.push(await (await fetch(`${api.url}${path}`)).text());
  }
  // Every probe but the malformed id (an unknown image is null) is refused with an error to read.
  assert.equal(bodies.filter((body) => /"error"/.test(body) || /"errors"/.test(body)).length, bodies.length - 1);
  for (const body of bodies) {
    assert.doesNotMatch(body, LEAK, body);
    assert.doesNotMatch(body, /stacktrace|"exception"/, body);
  }
});

test('500 votes and a stream of new sessions from one address are cut off at the configured limits (429 / RATE_LIMITED)', async () => {
  const limited = await startTestApi({
    CAPTIONER_RATE_LIMIT_SESSIONS_PER_HOUR: '6',
    CAPTIONER_RATE_LIMIT_RATINGS_PER_MIN: '10',
    CAPTIONER_RATE_LIMIT_UPLOADS_PER_MIN: '2',
    CAPTIONER_RATE_LIMIT_CAPTIONS_PER_MIN: '3',
    CAPTIONER_RATE_LIMIT_ADDRESS_FACTOR: '2',
  });
  try {
    const [image] = await fixtureImages(1);
    const file = { name: image!.name, bytes: image!.bytes, type: 'image/jpeg' };
    const first = await limited.upload([file]);
    const imageId = first.body.results[0]!.imageId!;
    const models = await loadedModels(limited);
    const caption = await waitUntil('captions', async () => {
      const r = await limited.gql(
        graphql(`
          query AttackBatteryImage3($id: ID!) {
            image(id: $id) {
              captions {
                id
              }
            }
          }
        `),
        { id: imageId },
      );
      return r.image!.captions.length === models.length ? r.image!.captions[0]!.id : null;
    });

    // Sessions: clearing cookies mints at most 6 voters an hour from this address.
    const sessions: string[] = [];
    for (let i = 0; i < 6; i++) sessions.push(await limited.voterSession(`voter-${i}`));
    const refused = await fetch(`${limited.url}/voter-session`, { method: 'POST' });
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    const refusal = (await refused.json()) as { error: { code: string; message: string; retryAfterSeconds: number } };
    assert.equal(refusal.error.code, 'RATE_LIMITED');
    assert.equal(refusal.error.retryAfterSeconds, retryAfter);
    assert.match(refusal.error.message, /new voter sessions.*try again in \d+ s/);

    // 500 votes spread over those voters: 10 per voter and 20 per address a minute get through, no more.
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        limited.request(rate, { c: caption, s: 1 + (i % 5) }, `voter-${i % sessions.length}`),
      ),
    );
    const accepted = outcomes.filter((o) => !o.errors);
    const rejected = outcomes.filter((o) => o.errors);
    assert.equal(accepted.length, 20);
    for (const o of rejected) {
      assert.equal(o.errors![0]!.extensions?.code, 'RATE_LIMITED', JSON.stringify(o.errors));
      const seconds = o.errors![0]!.extensions?.retryAfterSeconds as number;
      assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `retryAfterSeconds ${seconds}`);
    }
    // Still one rating per voter: the accepted votes replaced each other.
    const { rows } = await limited.service.services.db.pool.query(
      'SELECT voter_id, count(*)::int AS n FROM ratings GROUP BY voter_id',
    );
    assert.ok(rows.length <= sessions.length && rows.every((r: { n: number }) => r.n === 1));

    // Uploads without a voter count against the address (2 x 2 a minute): the fifth gets 429, and stores nothing.
    for (let i = 2; i <= 4; i++) assert.equal((await limited.upload([file])).status, 200, `upload ${i}`);
    const before = await limited.service.services.db.pool.query('SELECT count(*)::int AS n FROM images');
    const fifth = await limited.upload([file]);
    assert.equal(fifth.status, 429);
    assert.equal(fifth.body.error?.code, 'RATE_LIMITED');
    const after = await limited.service.services.db.pool.query('SELECT count(*)::int AS n FROM images');
    assert.deepEqual(after.rows, before.rows);

    // Caption mutations: 3 a minute per voter.
    const recaption =
      'mutation($i: ID!, $m: ID!, $b: Int) { captionImage(input: { imageId: $i, modelId: $m, beamSize: $b }) { cached } }';
    const results = [];
    for (let b = 1; b <= 4; b++)
      results.push(await limited.request(recaption, { i: imageId, m: models[0]!.id, b }, 'voter-0'));
    assert.deepEqual(
      results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok'),
      ['ok', 'ok', 'ok', 'RATE_LIMITED'],
    );
  } finally {
    await limited.stop();
  }
  // The second API shared this process's loaded models; stopping it leaves the first one captioning.
  const [, , fresh] = await fixtureImages(3);
  const { body } = await api.upload([{ name: fresh!.name, bytes: fresh!.bytes, type: 'image/jpeg' }]);
  const freshId = body.results[0]!.imageId!;
  const models = await loadedModels(api);
  await waitUntil('captions after the second API stopped', async () => {
    const r = await api.gql(
      graphql(`
        query AttackBatteryImage4($id: ID!) {
          image(id: $id) {
            captions {
              id
            }
          }
        }
      `),
      { id: freshId },
    );
    return r.image!.captions.length === models.length || null;
  });
});
