// Attacks a stranger would try against the running API, each answered with a clear error and, where it matters,
// without any change to the stored data (compared as a dump of the affected tables before and after).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fixtureImages, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';

let api: TestApi;
let captionId: string;

before(async () => {
  api = await startTestApi();
  const [image] = await fixtureImages(1);
  const { body } = await api.upload([{ name: image!.name, bytes: image!.bytes, type: 'image/jpeg' }]);
  const imageId = body.results[0]!.imageId!;
  const models = await loadedModels(api);
  captionId = await waitUntil('captions', async () => {
    const r = await api.gql<{ image: { captions: { id: string }[] } }>(
      'query($id: ID!) { image(id: $id) { captions { id } } }',
      { id: imageId },
    );
    return r.image.captions.length === models.length ? r.image.captions[0]!.id : null;
  });
});
after(async () => {
  await api?.stop();
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
  for (const headers of [
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
