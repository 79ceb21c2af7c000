// The uploader's state transitions: queueing, at most PARALLEL_UPLOADS at once, refusals with the API's
// reason, and when an image counts as captioned.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { CaptionSummary } from './fragments';
import {
  IDLE_POLLS_TO_FINISH,
  imagesToPoll,
  PARALLEL_UPLOADS,
  uploadReducer,
  uploadsToStart,
  type UploadEntry,
} from './upload-state';

const file = (key: string) => ({ key, name: `${key}.png`, size: 10, previewUrl: null });
const caption = (modelId: string) => ({ id: `c-${modelId}`, model: { id: modelId } }) as unknown as CaptionSummary;

function added(...keys: string[]): UploadEntry[] {
  return uploadReducer([], { type: 'added', files: keys.map(file) });
}

function captioning(key: string, imageId: string): UploadEntry[] {
  let state = added(key);
  state = uploadReducer(state, { type: 'started', key });
  return uploadReducer(state, { type: 'uploaded', key, outcome: { imageId, created: true, error: null } });
}

test('added files are queued, newest batch first, in the order they were picked', () => {
  const state = uploadReducer(added('a', 'b'), { type: 'added', files: [file('c')] });
  assert.deepEqual(
    state.map((e) => [e.key, e.status, e.progress]),
    [
      ['c', 'queued', 0],
      ['a', 'queued', 0],
      ['b', 'queued', 0],
    ],
  );
});

test(`at most ${PARALLEL_UPLOADS} uploads run at once`, () => {
  const state = added('a', 'b', 'c');
  assert.deepEqual(
    uploadsToStart(state, 0).map((e) => e.key),
    ['a', 'b'].slice(0, PARALLEL_UPLOADS),
  );
  assert.deepEqual(
    uploadsToStart(state, PARALLEL_UPLOADS - 1).map((e) => e.key),
    ['a'],
  );
  assert.deepEqual(uploadsToStart(state, PARALLEL_UPLOADS), []);
  const afterStart = uploadReducer(state, { type: 'started', key: 'a' });
  assert.deepEqual(
    uploadsToStart(afterStart, 1).map((e) => e.key),
    ['b'],
  );
});

test('an upload reports progress, then waits for captions with its image id', () => {
  let state = uploadReducer(added('a'), { type: 'started', key: 'a' });
  assert.equal(state[0]!.status, 'uploading');
  state = uploadReducer(state, { type: 'progress', key: 'a', progress: 0.5 });
  assert.equal(state[0]!.progress, 0.5);
  state = uploadReducer(state, {
    type: 'uploaded',
    key: 'a',
    outcome: { imageId: 'img1', created: false, error: null },
  });
  assert.deepEqual(
    [state[0]!.status, state[0]!.imageId, state[0]!.created, state[0]!.progress],
    ['captioning', 'img1', false, 1],
  );
  assert.deepEqual(imagesToPoll(state), ['img1']);
});

test("a refused upload shows the API's reason, and one without an image id a generic one", () => {
  const refused = uploadReducer(added('a'), {
    type: 'uploaded',
    key: 'a',
    outcome: { imageId: null, created: false, error: { code: 'UNSUPPORTED_IMAGE', message: 'Not an image.' } },
  });
  assert.deepEqual([refused[0]!.status, refused[0]!.error], ['rejected', 'Not an image.']);
  const empty = uploadReducer(added('a'), {
    type: 'uploaded',
    key: 'a',
    outcome: { imageId: null, created: false, error: null },
  });
  assert.deepEqual([empty[0]!.status, empty[0]!.error], ['rejected', 'The service did not store this file.']);
  assert.deepEqual(imagesToPoll([...refused, ...empty]), []);
});

test('an image is done once every loaded model has captioned it', () => {
  let state = captioning('a', 'img1');
  const poll = (captions: CaptionSummary[], pending: boolean) =>
    uploadReducer(state, {
      type: 'polled',
      loadedModelIds: ['lstm', 'attention'],
      images: [{ id: 'img1', captioningPending: pending, captions }],
    });
  state = poll([caption('lstm')], true);
  assert.deepEqual([state[0]!.status, state[0]!.captions.length], ['captioning', 1]);
  state = poll([caption('lstm'), caption('attention')], false);
  assert.equal(state[0]!.status, 'done');
  assert.deepEqual(imagesToPoll(state), []);
});

test(`an image left idle for ${IDLE_POLLS_TO_FINISH} polls is done even without every caption (a model failed)`, () => {
  let state = captioning('a', 'img1');
  const idlePoll = (pending: boolean) =>
    (state = uploadReducer(state, {
      type: 'polled',
      loadedModelIds: ['lstm', 'attention'],
      images: [{ id: 'img1', captioningPending: pending, captions: [caption('lstm')] }],
    }));
  for (let i = 1; i < IDLE_POLLS_TO_FINISH; i++) idlePoll(false);
  assert.equal(state[0]!.status, 'captioning');
  idlePoll(true); // work appeared again: the idle count starts over
  assert.equal(state[0]!.idlePolls, 0);
  for (let i = 1; i < IDLE_POLLS_TO_FINISH; i++) idlePoll(false);
  assert.equal(state[0]!.status, 'captioning');
  idlePoll(false);
  assert.equal(state[0]!.status, 'done');
});

test('a poll leaves entries alone that it did not see or that are not being captioned', () => {
  const state = [...captioning('a', 'img1'), ...added('b')];
  const next = uploadReducer(state, {
    type: 'polled',
    loadedModelIds: ['lstm'],
    images: [{ id: 'other', captioningPending: false, captions: [caption('lstm')] }],
  });
  assert.deepEqual(next, state);
});

test('live events: each stored caption is shown at once; done when every loaded model captioned or failed', () => {
  const models = ['lstm', 'attention'];
  const image = (...ids: string[]) => ({ id: 'img-1', captioningPending: true, captions: ids.map(caption) });
  let state = captioning('a', 'img-1');
  state = uploadReducer(state, {
    type: 'captioned',
    loadedModelIds: models,
    image: image('lstm'),
    failedModelId: null,
  });
  assert.equal(state[0]!.status, 'captioning');
  assert.deepEqual(
    state[0]!.captions.map((c) => c.model.id),
    ['lstm'],
  );
  // Another image's event changes nothing here.
  const other = { id: 'img-2', captioningPending: false, captions: [caption('attention')] };
  assert.deepEqual(
    uploadReducer(state, { type: 'captioned', loadedModelIds: models, image: other, failedModelId: null }),
    state,
  );
  const done = uploadReducer(state, {
    type: 'captioned',
    loadedModelIds: models,
    image: image('lstm', 'attention'),
    failedModelId: null,
  });
  assert.equal(done[0]!.status, 'done');
  // A model that failed counts as answered, so the entry does not wait for it.
  const failed = uploadReducer(state, {
    type: 'captioned',
    loadedModelIds: models,
    image: image('lstm'),
    failedModelId: 'attention',
  });
  assert.equal(failed[0]!.status, 'done');
  assert.deepEqual(failed[0]!.failedModelIds, ['attention']);
});
