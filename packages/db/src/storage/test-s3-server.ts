// For this package's tests: a real S3-compatible server (s3rver, files in a temporary directory) on a free port,
// with a bucket, and the object store talking to it. Not part of the build.
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeTempDir, removeDir } from '../test-support.js';
import { createS3ObjectStore } from './s3-object-store.js';

export const TEST_BUCKET = 'captioner-test';
// s3rver accepts this fixed pair only.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startTestS3(prefix = 'images/') {
  const directory = await makeTempDir('captioner-s3rver-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory, silent: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const options = { bucket: TEST_BUCKET, endpoint, region: 'us-east-1', prefix, forcePathStyle: true };
  const store = createS3ObjectStore({ ...options, credentials: CREDENTIALS });
  await store.client.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  return {
    endpoint,
    /** What a separate process needs to build the same store. */
    options: { ...options, credentials: CREDENTIALS },
    store,
    /** Every key in the bucket, sorted. */
    async keys(): Promise<string[]> {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.client.send(
          new ListObjectsV2Command({ Bucket: TEST_BUCKET, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async stop() {
      store.client.destroy();
      await server.close();
      await removeDir(directory);
    },
  };
}

export type TestS3 = Awaited<ReturnType<typeof startTestS3>>;
