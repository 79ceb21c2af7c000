// The image-storage variables: default postgres without a bucket, S3 only with a bucket, values parsed and checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config.js';
import { imageStorageOptions } from './image-storage.js';

test('images stay in PostgreSQL by default and no object store is built', () => {
  const { imageStorage } = loadConfig({});
  assert.deepEqual(imageStorage, { target: 'postgres', s3: null });
  assert.deepEqual(imageStorageOptions(imageStorage), { target: 'postgres', objects: null });
});

test('CAPTIONER_IMAGE_STORE=s3 needs a bucket, and the S3 variables are parsed', () => {
  assert.throws(() => loadConfig({ CAPTIONER_IMAGE_STORE: 's3' }), /CAPTIONER_S3_BUCKET: required when/);
  const { imageStorage } = loadConfig({
    CAPTIONER_IMAGE_STORE: 's3',
    CAPTIONER_S3_BUCKET: 'captioner-images',
    CAPTIONER_S3_ENDPOINT: 'http://127.0.0.1:9000',
    CAPTIONER_S3_PREFIX: 'prod/',
    CAPTIONER_S3_FORCE_PATH_STYLE: 'true',
  });
  assert.deepEqual(imageStorage, {
    target: 's3',
    s3: {
      bucket: 'captioner-images',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      prefix: 'prod/',
      forcePathStyle: true,
    },
  });
  const options = imageStorageOptions(imageStorage);
  assert.equal(options.objects?.location, 's3://captioner-images/prod/ at http://127.0.0.1:9000');
  // The migration back to PostgreSQL still needs the bucket while new images stay in PostgreSQL.
  assert.equal(loadConfig({ CAPTIONER_S3_BUCKET: 'captioner-images' }).imageStorage.target, 'postgres');
});

test('bad image-storage values are refused with the variable named', () => {
  assert.throws(() => loadConfig({ CAPTIONER_IMAGE_STORE: 'disk' }), /CAPTIONER_IMAGE_STORE/);
  assert.throws(() => loadConfig({ CAPTIONER_S3_ENDPOINT: 'not a url' }), /CAPTIONER_S3_ENDPOINT/);
  assert.throws(() => loadConfig({ CAPTIONER_S3_PREFIX: 'no-slash' }), /CAPTIONER_S3_PREFIX: use an empty prefix/);
  assert.throws(() => loadConfig({ CAPTIONER_S3_FORCE_PATH_STYLE: 'yes' }), /CAPTIONER_S3_FORCE_PATH_STYLE/);
});
