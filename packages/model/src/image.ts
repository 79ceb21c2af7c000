// Image decoding and validation with sharp: the one place that decides which uploads are images we
// accept, turns them into model input tensors and makes thumbnails. The API uses this for uploads
// so that validation and captioning can never disagree about what is a valid image.
import sharp, { type Sharp } from 'sharp';

import { CaptionerError } from './errors.js';
import { resizeBilinearLikePil } from './resample.js';

export interface ImageLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Largest accepted width x height (decompression bombs); passed to sharp's limitInputPixels. */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 40_000_000,
});

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif';

const MIME_TYPES: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

export const SUPPORTED_IMAGE_MIME_TYPES: readonly string[] = Object.freeze(Object.values(MIME_TYPES));

export interface ImageInfo {
  format: ImageFormat;
  mime: string;
  /** Size after EXIF orientation is applied (what a viewer shows). */
  width: number;
  height: number;
}

/** What the model expects (manifest `image`). */
export interface ImageSpec {
  height: number;
  width: number;
  mean: readonly number[];
  std: readonly number[];
  resize: 'fill';
}

export interface Thumbnail {
  data: Buffer;
  mime: 'image/webp';
  width: number;
  height: number;
}

const ACCEPTED = 'JPEG, PNG, WebP, GIF, TIFF or AVIF';

/** Validates an image by decoding it fully; returns its format, MIME type and oriented size. */
export async function readImage(bytes: Uint8Array, limits: Partial<ImageLimits> = {}): Promise<ImageInfo> {
  const opened = await openImage(bytes, limits);
  // Decoding (at reduced size, which still reads every byte) is what catches truncated files.
  await decode(opened, (image) => image.resize(64, 64, { fit: 'inside' }).raw().toBuffer());
  return opened.info;
}

/** A WebP thumbnail that fits inside size x size, EXIF-rotated, never enlarged. */
export async function makeThumbnail(
  bytes: Uint8Array,
  options: { size?: number; quality?: number; limits?: Partial<ImageLimits> } = {},
): Promise<Thumbnail> {
  const size = options.size ?? 256;
  const opened = await openImage(bytes, options.limits ?? {});
  const { data, info } = await decode(opened, (image) =>
    image
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: options.quality ?? 80 })
      .toBuffer({ resolveWithObject: true }),
  );
  return { data, mime: 'image/webp', width: info.width, height: info.height };
}

/**
 * The model input: EXIF-rotated, alpha flattened on white, stretched to height x width with PIL's
 * bilinear filter (what training/ uses, reproduced exactly), scaled to 0..1 and normalised per
 * channel, as float32 [3, H, W] (channel-major, RGB).
 */
export async function preprocessImage(
  bytes: Uint8Array,
  spec: ImageSpec,
  limits: Partial<ImageLimits> = {},
): Promise<{ tensor: Float32Array; info: ImageInfo }> {
  const opened = await openImage(bytes, limits);
  const { data, info } = await decode(opened, (image) =>
    image
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }),
  );
  if (info.channels !== 3) throw new Error(`decoding produced ${info.channels} channels, expected RGB`);
  const resized = resizeBilinearLikePil(data, info.width, info.height, spec.width, spec.height);
  return { tensor: normalise(resized, spec), info: opened.info };
}

// Mirrors training/images.py to_tensor in float32: x = v / 255, then (x - mean) / std, each step
// rounded to float32, so the tensor matches PyTorch's bit for bit. A lookup table per channel
// makes it one array read per value.
function normalise(hwc: Uint8Array, spec: ImageSpec): Float32Array {
  const plane = spec.width * spec.height;
  const out = new Float32Array(3 * plane);
  for (let channel = 0; channel < 3; channel++) {
    const mean = Math.fround(spec.mean[channel]!);
    const std = Math.fround(spec.std[channel]!);
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = Math.fround(Math.fround(v / 255) - mean) / std;
    const offset = channel * plane;
    for (let i = 0; i < plane; i++) out[offset + i] = table[hwc[i * 3 + channel]!]!;
  }
  return out;
}

interface OpenedImage {
  bytes: Uint8Array;
  info: ImageInfo;
  maxPixels: number;
}

async function openImage(bytes: Uint8Array, partialLimits: Partial<ImageLimits>): Promise<OpenedImage> {
  const limits = { ...DEFAULT_IMAGE_LIMITS, ...partialLimits };
  if (bytes.length === 0) {
    throw new CaptionerError('IMAGE_EMPTY', `The image is empty (0 bytes). Send the file's contents as ${ACCEPTED}.`);
  }
  if (bytes.length > limits.maxBytes) {
    throw new CaptionerError(
      'IMAGE_TOO_LARGE',
      `The image is ${formatBytes(bytes.length)}, more than the ${formatBytes(limits.maxBytes)} limit. Send a smaller or more compressed file.`,
      { details: { bytes: bytes.length, maxBytes: limits.maxBytes } },
    );
  }
  const sniffed = sniffFormat(bytes);
  if (sniffed === null) {
    throw new CaptionerError('UNSUPPORTED_IMAGE', `The file is not a supported image. Send ${ACCEPTED}.`);
  }
  let metadata: sharp.Metadata;
  try {
    // The header is enough here; pixel data is only read by decode().
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw corrupt(sniffed, error);
  }
  const width = metadata.width;
  const height = metadata.height;
  if (width === undefined || height === undefined || width < 1 || height < 1) {
    throw corrupt(sniffed, new Error('no image size in the header'));
  }
  if (width * height > limits.maxPixels) {
    throw new CaptionerError(
      'IMAGE_DIMENSIONS_TOO_LARGE',
      `The image is ${width}x${height} pixels (${((width * height) / 1e6).toFixed(1)} megapixels), more than the ${(limits.maxPixels / 1e6).toFixed(1)} megapixel limit. Resize it before uploading.`,
      { details: { width, height, maxPixels: limits.maxPixels } },
    );
  }
  const oriented = metadata.autoOrient ?? { width, height };
  return {
    bytes,
    info: { format: sniffed, mime: MIME_TYPES[sniffed], width: oriented.width, height: oriented.height },
    maxPixels: limits.maxPixels,
  };
}

// Every decode starts from the same pipeline: first frame only (GIF/TIFF pages), EXIF rotation,
// the pixel limit enforced by sharp itself as a second guard.
async function decode<T>(opened: OpenedImage, finish: (image: Sharp) => Promise<T>): Promise<T> {
  try {
    return await finish(
      sharp(opened.bytes, { limitInputPixels: opened.maxPixels, pages: 1, failOn: 'warning' }).rotate(),
    );
  } catch (error) {
    throw corrupt(opened.info.format, error);
  }
}

function corrupt(format: ImageFormat, error: unknown): CaptionerError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new CaptionerError(
    'CORRUPT_IMAGE',
    `The ${format.toUpperCase()} image could not be decoded; it looks truncated or damaged (${reason}). Re-export or re-upload the complete file.`,
    { cause: error },
  );
}

// Decide the format from the file's signature rather than trusting a name or MIME type; this also
// tells a damaged JPEG (CORRUPT_IMAGE) from something that was never an image (UNSUPPORTED_IMAGE).
function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  const ascii = (start: number, end: number): string => String.fromCharCode(...bytes.subarray(start, end));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp') {
    // ISO-BMFF: AVIF when the major or a compatible brand says so (HEIC and video are refused).
    const boxSize = Math.min(
      bytes.length,
      (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0,
    );
    for (let offset = 8; offset + 4 <= boxSize; offset += 4) {
      if (offset === 12) continue; // minor version, not a brand
      const brand = ascii(offset, offset + 4);
      if (brand === 'avif' || brand === 'avis') return 'avif';
    }
  }
  return null;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
