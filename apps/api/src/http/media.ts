// GET/HEAD /media/images/:id/(original|thumbnail): the stored bytes with their content type. Bytes never change
// for an id, so responses are immutable for caching, with a strong ETag (the SHA-256) for revalidation.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidInputError } from '@captioner/db';
import type { Services } from '../graphql/context.js';
import { sendError } from './respond.js';

export async function handleMedia(
  services: Services,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  variant: 'original' | 'thumbnail',
): Promise<void> {
  let stored: Awaited<ReturnType<Services['db']['images']['getOriginal']>>;
  try {
    stored =
      variant === 'original' ? await services.db.images.getOriginal(id) : await services.db.images.getThumbnail(id);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    stored = null;
  }
  if (!stored) return sendError(res, 'NOT_FOUND', `No image with id "${id}".`);
  const etag = `"${stored.sha256}${variant === 'thumbnail' ? '-thumb' : ''}"`;
  const headers = {
    'content-type': stored.mime,
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
  };
  const match = req.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*')) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': stored.bytes.length });
  res.end(req.method === 'HEAD' ? undefined : stored.bytes);
}
