// The main user journey over HTTP: upload images, get captions from both shipped models, rate them, prefer one
// model's caption over the other's, and see it all in the leaderboard.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { fixtureImages, loadedModels, startTestApi, waitUntil, type TestApi } from './harness.js';
import { graphql } from '../generated/index.js';
import type { PreferenceWinner } from '../generated/graphql.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api?.stop();
});

const imageQuery = graphql(`
  query UploadRatePreferImage4($id: ID!) {
    image(id: $id) {
      id
      width
      height
      mimeType
      byteSize
      sha256
      originalUrl
      thumbnailUrl
      source
      split
      references
      captioningPending
      captions {
        id
        text
        tokens
        tokenIds
        logProb
        latencyMs
        sentenceBleu
        decode {
          beamSize
          maxLength
        }
        nBest {
          text
          logProb
          score
        }
        attention {
          rows
          cols
          steps {
            word
            weights
          }
        }
        model {
          id
          variant
        }
      }
    }
  }
`);

test('both shipped models are loaded and /health says so', async () => {
  const models = await loadedModels(api);
  assert.deepEqual(
    models.map((m) => m.variant).sort(),
    ['ATTENTION', 'LSTM'],
    'expected one lstm and one attention model among the fixture models',
  );
  const health = await fetch(`${api.url}/health`);
  assert.equal(health.status, 200);
  const body = (await health.json()) as { status: string; database: { ok: boolean }; models: { loaded: boolean }[] };
  assert.equal(body.status, 'ok');
  assert.equal(body.database.ok, true);
  assert.ok(body.models.every((m) => m.loaded));
});

test('upload → captions from both models → rate → prefer → leaderboard', async () => {
  const models = await loadedModels(api);
  const [image] = await fixtureImages(1);
  const uploaded = await api.upload([{ name: image!.name, bytes: image!.bytes, type: 'image/jpeg' }]);
  assert.equal(uploaded.status, 200);
  const result = uploaded.body.results[0]!;
  assert.equal(result.created, true);
  assert.equal(result.filename, image!.name);
  const imageId = result.imageId!;

  // Captioning runs in the background; poll until every loaded model has captioned the image.
  const view = await waitUntil('captions from every model', async () => {
    const { image: img } = await api.gql(imageQuery, { id: imageId });
    return !img!.captioningPending && img!.captions.length === models.length ? img : null;
  });
  assert.equal(view.mimeType, 'image/jpeg');
  assert.equal(view.sha256, createHash('sha256').update(image!.bytes).digest('hex'));
  assert.equal(view.source, 'UPLOAD');
  assert.equal(view.split, null);
  assert.deepEqual(view.references, []);
  for (const caption of view.captions) {
    assert.ok(caption.text.length > 0);
    assert.equal(caption.tokens.join(' '), caption.text);
    assert.equal(caption.tokenIds.length, caption.tokens.length);
    assert.ok(caption.logProb < 0);
    assert.ok(caption.latencyMs > 0);
    assert.equal(caption.sentenceBleu, null, 'an upload has no references, so no BLEU');
    assert.equal(caption.decode.beamSize, 3);
    assert.ok(caption.nBest.length >= 1 && caption.nBest.length <= 3);
    assert.equal(caption.nBest[0]!.text, caption.text);
    for (let i = 1; i < caption.nBest.length; i++) assert.ok(caption.nBest[i - 1]!.score >= caption.nBest[i]!.score);
    if (caption.model.variant === 'ATTENTION') {
      assert.ok(caption.attention, 'the attention model stores attention maps');
      assert.equal(caption.attention.steps.length, caption.tokens.length);
      for (const step of caption.attention.steps) {
        assert.equal(step.weights.length, caption.attention.rows * caption.attention.cols);
        assert.ok(Math.abs(step.weights.reduce((a, b) => a + b, 0) - 1) < 1e-3);
      }
    } else {
      assert.equal(caption.attention, null);
    }
  }

  // Media: the original bytes and a WebP thumbnail, cacheable, with ETag revalidation.
  const original = await fetch(`${api.url}${view.originalUrl as string}`);
  assert.equal(original.status, 200);
  assert.equal(original.headers.get('content-type'), 'image/jpeg');
  assert.match(original.headers.get('cache-control') ?? '', /max-age=\d+/);
  assert.deepEqual(Buffer.from(await original.arrayBuffer()), image!.bytes);
  const thumbnail = await fetch(`${api.url}${view.thumbnailUrl as string}`);
  assert.equal(thumbnail.headers.get('content-type'), 'image/webp');
  const thumbBytes = Buffer.from(await thumbnail.arrayBuffer());
  assert.equal(thumbBytes.subarray(8, 12).toString('ascii'), 'WEBP');
  const revalidated = await fetch(`${api.url}${view.originalUrl as string}`, {
    headers: { 'if-none-match': original.headers.get('etag')! },
  });
  assert.equal(revalidated.status, 304);

  // The same bytes again: the existing image, nothing new stored.
  const again = await api.upload([{ name: 'copy.jpg', bytes: image!.bytes }]);
  assert.equal(again.body.results[0]!.imageId, imageId);
  assert.equal(again.body.results[0]!.created, false);

  // Ratings: per voter, rating again replaces.
  const [lstm, attention] = ['LSTM', 'ATTENTION'].map((v) => view.captions.find((c) => c.model.variant === v)!);
  const rate = graphql(`
    mutation UploadRatePreferRateCaption($input: RateCaptionInput!) {
      rateCaption(input: $input) {
        rating {
          stars
        }
        caption {
          id
          myRating
          ratings {
            count
            mean
            histogram
          }
        }
      }
    }
  `);
  await api.gql(rate, { input: { captionId: attention!.id, stars: 2 } }, 'alice');
  const rerated = await api.gql(rate, { input: { captionId: attention!.id, stars: 5 } }, 'alice');
  assert.equal(rerated.rateCaption.caption.myRating, 5);
  assert.deepEqual(rerated.rateCaption.caption.ratings, { count: 1, mean: 5, histogram: [0, 0, 0, 0, 1] });
  await api.gql(rate, { input: { captionId: attention!.id, stars: 4 } }, 'bob');
  await api.gql(rate, { input: { captionId: lstm!.id, stars: 2 } }, 'alice');
  await api.gql(rate, { input: { captionId: lstm!.id, stars: 3 } }, 'bob');
  const mine = await api.gql(
    graphql(`
      query UploadRatePreferImage($id: ID!) {
        image(id: $id) {
          captions {
            id
            myRating
          }
        }
      }
    `),
    { id: imageId },
    'bob',
  );
  assert.deepEqual(Object.fromEntries(mine.image!.captions.map((c) => [c.id, c.myRating])), {
    [attention!.id]: 4,
    [lstm!.id]: 3,
  });

  // Ratings alone do not rank: without blind comparisons there is nothing to rank by.
  const unranked = await api.gql(
    graphql(`
      query UploadRatePreferLeaderboard {
        leaderboard {
          entries {
            rank
          }
        }
      }
    `),
  );
  assert.deepEqual(
    unranked.leaderboard.entries.map((e) => e.rank),
    [null, null],
  );

  // Pairwise preferences: A/B order as the voter saw it, one vote per voter per pair (revoting replaces).
  const prefer = graphql(`
    mutation UploadRatePreferRecordPreference($input: RecordPreferenceInput!) {
      recordPreference(input: $input) {
        preference {
          winner
          captionA {
            id
          }
          captionB {
            id
          }
          image {
            id
          }
        }
      }
    }
  `);
  const vote = (voter: string, winner: PreferenceWinner) =>
    api.gql(prefer, { input: { imageId, captionAId: lstm!.id, captionBId: attention!.id, winner } }, voter);
  assert.equal((await vote('alice', 'A')).recordPreference.preference.winner, 'A');
  await vote('alice', 'B'); // alice changes her mind
  await vote('bob', 'B');
  await vote('carol', 'TIE');

  const { leaderboard } = await api.gql(
    graphql(`
      query UploadRatePreferLeaderboard2 {
        leaderboard {
          ratingCount
          preferenceCount
          bleuRatingCorrelation {
            rho
            n
          }
          entries {
            rank
            model {
              id
              variant
            }
            rating {
              count
              mean
              low
              high
            }
            preference {
              strength
              low
              high
              wins
              losses
              ties
              comparisons
            }
            bleu {
              split
              bleu
            }
          }
        }
      }
    `),
  );
  assert.equal(leaderboard.ratingCount, 4);
  assert.equal(leaderboard.preferenceCount, 3);
  const entry = (variant: string) => leaderboard.entries.find((e) => e.model.variant === variant)!;
  assert.equal(leaderboard.entries[0]!.model.variant, 'ATTENTION', 'the stronger model is listed first');
  // Two wins and a tie cannot separate the models' 95% intervals, so they share the first rank.
  assert.deepEqual(
    leaderboard.entries.map((e) => e.rank),
    [1, 1],
  );
  assert.equal(entry('ATTENTION').rating.mean, 4.5);
  assert.equal(entry('ATTENTION').rating.count, 2);
  // t interval with 1 degree of freedom: 4.5 ± 12.706 * sd/sqrt(2), sd = 0.7071
  assert.ok(Math.abs(entry('ATTENTION').rating.high! - (4.5 + 12.706 * 0.5)) < 1e-3);
  assert.equal(entry('LSTM').rating.mean, 2.5);
  assert.deepEqual(
    {
      wins: entry('ATTENTION').preference.wins,
      losses: entry('ATTENTION').preference.losses,
      ties: entry('ATTENTION').preference.ties,
    },
    { wins: 2, losses: 0, ties: 1 },
  );
  assert.ok(entry('ATTENTION').preference.strength > 0 && entry('LSTM').preference.strength < 0);
  assert.ok(Math.abs(entry('ATTENTION').preference.strength + entry('LSTM').preference.strength) < 1e-9);
  assert.ok(entry('ATTENTION').preference.low! < entry('ATTENTION').preference.strength);
  assert.equal(leaderboard.bleuRatingCorrelation.n, 0, 'uploads have no BLEU, so no (BLEU, rating) points');
});

test('recaptioning with other settings stores a new caption; the same settings again are served from cache', async () => {
  const [, second] = await fixtureImages(2);
  const { body } = await api.upload([{ name: second!.name, bytes: second!.bytes }]);
  const imageId = body.results[0]!.imageId!;
  const [model] = await loadedModels(api);
  const mutation = graphql(`
    mutation UploadRatePreferCaptionImage($input: CaptionImageInput!) {
      captionImage(input: $input) {
        cached
        caption {
          id
          text
          decode {
            beamSize
            maxLength
          }
          nBest {
            text
          }
        }
      }
    }
  `);
  const first = await api.gql(mutation, { input: { imageId, modelId: model!.id, beamSize: 5, maxLength: 12 } });
  assert.equal(first.captionImage.cached, false);
  assert.deepEqual(first.captionImage.caption.decode, { beamSize: 5, maxLength: 12 });
  assert.ok(first.captionImage.caption.nBest.length > 1);
  const cached = await api.gql(mutation, {
    input: { imageId, modelId: model!.id, beamSize: 5, maxLength: 12 },
  });
  assert.equal(cached.captionImage.cached, true);
  assert.equal(cached.captionImage.caption.id, first.captionImage.caption.id);
  const greedy = await api.gql(mutation, {
    input: { imageId, modelId: model!.id, beamSize: 1 },
  });
  assert.equal(greedy.captionImage.caption.decode.beamSize, 1);
  const all = await api.gql(
    graphql(`
      query UploadRatePreferImage2($id: ID!, $m: ID) {
        image(id: $id) {
          all: captions(modelId: $m, all: true) {
            id
          }
          perModel: captions(modelId: $m) {
            decode {
              beamSize
            }
          }
        }
      }
    `),
    { id: imageId, m: model!.id },
  );
  // Default-settings (beam 3) caption from the upload, plus beam 5 and greedy.
  await waitUntil('the background caption', async () => {
    const r = await api.gql(
      graphql(`
        query UploadRatePreferImage3($id: ID!, $m: ID) {
          image(id: $id) {
            captions(modelId: $m, all: true) {
              id
            }
          }
        }
      `),
      { id: imageId, m: model!.id },
    );
    return r.image!.captions.length === 3;
  });
  assert.ok(all.image!.all.length >= 2);
  assert.equal(all.image!.perModel.length, 1);
});

test('a burst of uploads is queued and every image gets captioned by every model', async () => {
  const images = await fixtureImages(8);
  const { body } = await api.upload(images.map((i) => ({ name: i.name, bytes: i.bytes })));
  assert.equal(body.results.length, 8);
  const models = await loadedModels(api);
  await waitUntil('every upload captioned by every model', async () => {
    const { images: page } = await api.gql(
      graphql(`
        query UploadRatePreferImages {
          images(first: 50) {
            edges {
              node {
                captions {
                  id
                }
              }
            }
          }
        }
      `),
    );
    return page.edges.length === 8 && page.edges.every((e) => e.node.captions.length === models.length);
  });
});

test('a repeated gallery query is served from the response cache until a write changes it', async () => {
  const query = '{ images(first: 5) { edges { node { id captions { id ratings { count } } } } } }';
  const post = async (voter: string) => {
    const r = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-voter-session': await api.voterSession(voter) },
      body: JSON.stringify({ query }),
    });
    return {
      hit: r.headers.get('x-cache') === 'hit',
      body: (await r.json()) as {
        data: { images: { edges: { node: { captions: { id: string; ratings: { count: number } }[] } }[] } };
      },
    };
  };
  const first = await post('dave');
  const second = await post('dave');
  assert.equal(second.hit, true);
  assert.deepEqual(second.body, first.body);
  assert.equal((await post('erin')).hit, false, 'per voter');
  const caption = first.body.data.images.edges.flatMap((e) => e.node.captions)[0]!;
  await api.gql(
    'mutation($c: ID!) { rateCaption(input: { captionId: $c, stars: 5 }) { rating { id } } }',
    { c: caption.id },
    'dave',
  );
  const after = await post('dave');
  assert.equal(after.hit, false);
  const updated = after.body.data.images.edges.flatMap((e) => e.node.captions).find((c) => c.id === caption.id)!;
  assert.equal(updated.ratings.count, caption.ratings.count + 1);
});
