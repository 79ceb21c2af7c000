// The image-storage part of the API's configuration (config.ts spreads these variables into its schema): where new
// images' bytes go and the S3-compatible bucket. Credentials are not variables of ours: the AWS SDK's default chain
// reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a profile, or an instance role).
import type { ImageLocation, S3ObjectStoreOptions } from '@captioner/db';
import { z } from 'zod';

export const storageEnvShape = {
  /** Where new images' bytes go: postgres (the images table, zero setup) or s3 (the CAPTIONER_S3_* bucket). */
  CAPTIONER_IMAGE_STORE: z.enum(['postgres', 's3']).default('postgres'),
  /** The bucket; needed for s3, and to read (or migrate back) images stored there while the store is postgres. */
  CAPTIONER_S3_BUCKET: z.string().min(3).max(63).optional(),
  /** Endpoint URL of an S3-compatible server (MinIO, Ceph, R2...); unset: AWS S3 of the region. */
  CAPTIONER_S3_ENDPOINT: z.string().url().optional(),
  CAPTIONER_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Prepended to every object key. */
  CAPTIONER_S3_PREFIX: z
    .string()
    .regex(/^(|[^/].*\/)$/, 'use an empty prefix or one ending with "/" (e.g. captioner/)')
    .default(''),
  /** Bucket in the URL path instead of the host name, as most self-hosted servers need. */
  CAPTIONER_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
};

type StorageEnv = z.output<z.ZodObject<typeof storageEnvShape>>;

export interface ImageStorageConfig {
  /** Where new images' bytes go. */
  target: ImageLocation;
  /** The bucket, when CAPTIONER_S3_BUCKET is set; credentials come from the SDK's default chain. */
  s3: Omit<S3ObjectStoreOptions, 'credentials'> | null;
}

export function imageStorageConfig(e: StorageEnv): ImageStorageConfig {
  if (e.CAPTIONER_IMAGE_STORE === 's3' && !e.CAPTIONER_S3_BUCKET) {
    throw new Error(
      'Invalid configuration in the environment:\n  CAPTIONER_S3_BUCKET: required when CAPTIONER_IMAGE_STORE=s3 ' +
        '(the bucket to keep images in)\nSee apps/api/README.md for the variables.',
    );
  }
  return {
    target: e.CAPTIONER_IMAGE_STORE,
    s3: e.CAPTIONER_S3_BUCKET
      ? {
          bucket: e.CAPTIONER_S3_BUCKET,
          endpoint: e.CAPTIONER_S3_ENDPOINT ?? null,
          region: e.CAPTIONER_S3_REGION,
          prefix: e.CAPTIONER_S3_PREFIX,
          forcePathStyle: e.CAPTIONER_S3_FORCE_PATH_STYLE,
        }
      : null,
  };
}
