// Stores an image: validated and measured by @captioner/model, a WebP thumbnail made, deduplicated by SHA-256.
import { createHash } from 'node:crypto';
import { makeThumbnail, readImage } from '@captioner/model';
import type { Database, ImageRecord, ImageSource, Split } from '@captioner/db';

export const thumbnailSize = 384;

export interface IngestOptions {
  filename?: string | null;
  source: ImageSource;
  dataset?: string | null;
  split?: Split | null;
  /** The uploading voter (signed session), recorded when the bytes are new. */
  uploaderVoterId?: string | null;
  limits: { maxBytes: number; maxPixels: number };
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Throws CaptionerError for bytes that are not an acceptable image; the database is untouched then. */
export async function ingestImage(
  db: Database,
  bytes: Uint8Array,
  options: IngestOptions,
): Promise<{ image: ImageRecord; created: boolean }> {
  // Known bytes skip decoding entirely (re-uploads and resumed imports are cheap).
  const existing = await db.images.getBySha256(sha256Hex(bytes));
  if (existing && (existing.split || !options.split)) return { image: existing, created: false };
  const info = await readImage(bytes, options.limits);
  const thumbnail = await makeThumbnail(bytes, { size: thumbnailSize, limits: options.limits });
  return db.images.upsertBySha256({
    bytes,
    mime: info.mime,
    width: info.width,
    height: info.height,
    thumbnail: thumbnail.data,
    thumbnailMime: thumbnail.mime,
    filename: options.filename ?? null,
    source: options.source,
    dataset: options.dataset ?? null,
    split: options.split ?? null,
    uploaderVoterId: options.uploaderVoterId ?? null,
  });
}
