// The object store on S3 or an S3-compatible server (MinIO, Ceph, R2, s3rver...), through @aws-sdk/client-s3.
// Constructed from options only: the application's configuration reads the environment. Credentials come from the
// options or else from the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ImageStorageError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Endpoint URL of an S3-compatible server; unset: AWS S3 of the region. */
  endpoint?: string | null;
  region?: string | null;
  /** Prepended to every key (e.g. "captioner/"); default none. */
  prefix?: string;
  /** Bucket in the path (http://host/bucket/key), as most self-hosted servers need; default false. */
  forcePathStyle?: boolean;
  /** Unset: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | null;
}

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;

export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore & { client: S3Client } {
  const { bucket } = options;
  const prefix = options.prefix ?? '';
  const client = new S3Client({
    region: options.region || 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const location = `s3://${bucket}/${prefix}` + (options.endpoint ? ` at ${options.endpoint}` : '');
  const fail = (what: string, error: unknown): never => {
    const status = (error as S3ServiceException).$metadata?.httpStatusCode;
    throw new ImageStorageError(
      `Object storage ${location}: ${what} failed: ${(error as Error).name}: ${(error as Error).message}` +
        (status ? ` (HTTP ${status})` : '') +
        (status === 403 ? '. Check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and their rights.' : '.'),
      { cause: error },
    );
  };

  return {
    client,
    location,
    prefix,
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        const status = (error as S3ServiceException).$metadata?.httpStatusCode;
        if (status === 404) {
          throw new ImageStorageError(
            `Object storage ${location}: the bucket "${bucket}" does not exist; create it or set CAPTIONER_S3_BUCKET.`,
            { cause: error },
          );
        }
        fail('reaching the bucket', error);
      }
    },
    async put(key, body, contentType) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
      } catch (error) {
        fail(`writing ${key}`, error);
      }
    },
    async get(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!object.Body) return null;
        return Buffer.from(await object.Body.transformToByteArray());
      } catch (error) {
        if (error instanceof NoSuchKey || (error as S3ServiceException).$metadata?.httpStatusCode === 404) return null;
        return fail(`reading ${key}`, error);
      }
    },
    async delete(keys) {
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        try {
          const result = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          const failed = result.Errors ?? [];
          if (failed.length > 0) {
            const first = failed[0]!;
            throw new ImageStorageError(
              `Object storage ${location}: ${failed.length} of ${batch.length} deletions failed, e.g. ${first.Key}: ` +
                `${first.Code} ${first.Message}.`,
            );
          }
        } catch (error) {
          if (error instanceof ImageStorageError) throw error;
          fail(`deleting ${batch.length} objects`, error);
        }
      }
    },
  };
}
