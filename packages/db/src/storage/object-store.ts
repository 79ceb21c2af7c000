// Where an image's bytes live. By default in the images row (storage 'postgres': zero setup); with an object store
// configured they can live in S3-compatible storage (storage 's3'), the row naming the objects. The repository keeps
// its interface (getOriginal/getThumbnail return bytes) whichever holds them.
import { randomUUID } from 'node:crypto';

export type ImageLocation = 'postgres' | 's3';
export const IMAGE_LOCATIONS: readonly ImageLocation[] = ['postgres', 's3'];

/** An S3-compatible bucket (or any store with the same three operations), addressed by full object keys. */
export interface ObjectStore {
  /** Where it is, for messages (e.g. "s3://bucket/prefix/ at http://127.0.0.1:9000"); never credentials. */
  readonly location: string;
  /** Prepended to every key this application creates (may be empty). */
  readonly prefix: string;
  /** Fails with a message saying what to fix when the bucket cannot be reached or used. */
  check(): Promise<void>;
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes; null when there is no such object. */
  get(key: string): Promise<Buffer | null>;
  /** Deletes the objects; keys that name none are fine. */
  delete(keys: readonly string[]): Promise<void>;
}

export interface ImageStorageOptions {
  /** Where images stored from now on keep their bytes; default 'postgres'. */
  target?: ImageLocation;
  /** The object store: required for target 's3', and to read (or move back) images stored there. */
  objects?: ObjectStore | null;
}

/**
 * A fresh key for one placement of an image's objects: `<prefix><sha256>/<uuid>`. Never reused, so deleting the
 * objects of a key that a row let go of cannot remove bytes that another row (a re-upload of the same image, or
 * the same image moved back to object storage) relies on.
 */
export const newObjectKey = (store: ObjectStore, sha256: string): string => `${store.prefix}${sha256}/${randomUUID()}`;

export const originalKey = (objectKey: string): string => `${objectKey}/original`;
export const thumbnailKey = (objectKey: string): string => `${objectKey}/thumbnail`;
/** Both objects of a placement. */
export const placementKeys = (objectKey: string): string[] => [originalKey(objectKey), thumbnailKey(objectKey)];
