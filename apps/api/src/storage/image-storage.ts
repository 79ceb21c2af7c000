// openDatabase's imageStorage option from the configuration: the S3 object store when a bucket is configured.
import { createS3ObjectStore, type ImageLocation, type ImageStorageOptions } from '@captioner/db';
import type { ImageStorageConfig } from './storage-config.js';

/** `target` overrides where new images go (the storage migration reads and writes both locations). */
export function imageStorageOptions(
  config: ImageStorageConfig,
  target: ImageLocation = config.target,
): ImageStorageOptions {
  return { target, objects: config.s3 ? createS3ObjectStore(config.s3) : null };
}
