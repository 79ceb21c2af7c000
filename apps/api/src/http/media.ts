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
  let stored: Awaited<ReturnType<Services['db']['images']['getOriginal']>>;
  try {
    stored =
      variant === 'original' ? await services.db.images.getOriginal(id) : await services.db.images.getThumbnail(id);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    stored = null;
  }
  if (!stored) return sendError(reply, 'NOT_FOUND', `No image with id "${id}".`);
  const etag = `"${stored.sha256}${variant === 'thumbnail' ? '-thumb' : ''}"`;
  const extension = servedTypes[stored.mime];
  const headers = {
    'content-type': extension ? stored.mime : 'application/octet-stream',
    'content-disposition': `inline; filename="${id}-${variant}.${extension ?? 'bin'}"`,
    'content-security-policy': "default-src 'none'; sandbox",
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  };
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*')) {
    return reply.code(304).headers(headers).send();
  }
  // Fastify answers HEAD from this GET route, with the headers and without the body.
  return reply.code(200).headers(headers).send(stored.bytes);
}
