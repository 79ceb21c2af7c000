// GET/HEAD /media/images/:id/(original|thumbnail): the stored bytes with their content type. Bytes never change
// for an id, so responses are immutable for caching, with a strong ETag (the SHA-256) for revalidation.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '@captioner/db';
import type { Services } from '../graphql/context.js';
import { sendError } from './respond.js';

// Only raster types ever stored (formats are sniffed from the bytes on upload); anything else is served as opaque
// bytes so no browser could run it. The filename is built from the id, never the uploader's name (no header
// injection), and a sandboxing CSP keeps even a polyglot file (a GIF with a script appended) inert if opened.
const servedTypes: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'image/avif': 'avif',
};

export async function handleMedia(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  variant: 'original' | 'thumbnail',
) {
  const match = request.headers['if-none-match'];
  // A revalidation needs only the SHA-256 (the ETag): answer it without fetching the bytes, which may sit in S3.
  if (match) {
    const image = await lookUp(() => services.db.images.getById(id));
    if (!image) return sendError(reply, 'NOT_FOUND', `No image with id "${id}".`);
    const mime = variant === 'original' ? image.mime : image.thumbnailMime;
    const headers = mediaHeaders(id, variant, image.sha256, mime);
    if (matches(match, headers.etag)) return reply.code(304).headers(headers).send();
  }
  const stored = await lookUp(() =>
    variant === 'original' ? services.db.images.getOriginal(id) : services.db.images.getThumbnail(id),
  );
  if (!stored) return sendError(reply, 'NOT_FOUND', `No image with id "${id}".`);
  const headers = mediaHeaders(id, variant, stored.sha256, stored.mime);
  // Fastify answers HEAD from this GET route, with the headers and without the body.
  return reply.code(200).headers(headers).send(stored.bytes);
}

/** A malformed id is an unknown image. */
async function lookUp<T>(read: () => Promise<T | null>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidInputError) return null;
    throw error;
  }
}

function mediaHeaders(id: string, variant: 'original' | 'thumbnail', sha256: string, mime: string) {
  const extension = servedTypes[mime];
  return {
    'content-type': extension ? mime : 'application/octet-stream',
    'content-disposition': `inline; filename="${id}-${variant}.${extension ?? 'bin'}"`,
    'content-security-policy': "default-src 'none'; sandbox",
    etag: `"${sha256}${variant === 'thumbnail' ? '-thumb' : ''}"`,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  };
}

const matches = (header: string, etag: string) =>
  header.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*');
