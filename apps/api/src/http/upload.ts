// POST /upload: multipart/form-data with one or more `file` fields. Each file is validated, stored (deduplicated
// by SHA-256: the same bytes return the existing id with created=false) and queued for captioning by every
// loaded model. Answers {results: [{filename, imageId, created, error?: {code, message}}]}, one per file in order:
// 200 when at least one file was stored, else the status of the first file's error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../graphql/context.js';
import { httpStatusFor, type ErrorCode } from '../errors.js';
import { ingestImage } from '../images/ingest-image.js';
import { describeError } from '../to-api-error.js';
import { VOTER_SESSION_HEADER } from '../auth/voter-sessions.js';
import { withinRateLimit } from './rate-limited.js';
import { BodyTooLargeError, closeAfterResponse, readBody, sendJson } from './respond.js';

export interface UploadResult {
  filename: string | null;
  imageId: string | null;
  created: boolean;
  error?: { code: ErrorCode; message: string };
}

/** Multipart framing per file on top of the file bytes. */
const overheadPerFile = 64 * 1024;

function refuse(res: ServerResponse, code: ErrorCode, message: string): void {
  sendJson(res, httpStatusFor(code), { results: [], error: { code, message } });
}

export async function handleUpload(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { config } = services;
  // multipart/form-data is a "simple" content type a foreign page could post; refuse cross-site browser requests.
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    return refuse(res, 'BAD_REQUEST', 'Cross-site uploads are refused; upload through the gallery (same origin).');
  }
  const voterId = services.voterSessions.verify(req.headers[VOTER_SESSION_HEADER]);
  // Counted before the body is read, so a limited client costs no parsing.
  if (!(await withinRateLimit(services, req, res, 'upload', voterId, (error) => ({ results: [], error })))) return;
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    return refuse(res, 'BAD_USER_INPUT', 'Send the images as multipart/form-data with one `file` field per image.');
  }
  const limit = Math.min(
    config.maxUploadRequestBytes,
    config.maxUploadFiles * (config.maxUploadBytes + overheadPerFile),
  );
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      closeAfterResponse(res);
      return refuse(
        res,
        'PAYLOAD_TOO_LARGE',
        `The upload is larger than ${limit} bytes (at most ${config.maxUploadFiles} files of ${config.maxUploadBytes} bytes each). Send fewer or smaller files per request.`,
      );
    }
    throw error;
  }
  if (body.length === 0)
    return refuse(res, 'BAD_USER_INPUT', 'The request body is empty; attach at least one image as a `file` field.');
  let files: Blob[];
  try {
    const form = await new Request('http://upload.local/', {
      method: 'POST',
      body,
      headers: { 'content-type': type },
    }).formData();
    files = form.getAll('file').filter((v) => typeof v !== 'string') as unknown as Blob[];
  } catch {
    return refuse(res, 'BAD_USER_INPUT', 'The body is not valid multipart/form-data; attach images as `file` fields.');
  }
  if (files.length === 0)
    return refuse(res, 'BAD_USER_INPUT', 'No `file` field with a file in the upload; attach at least one image.');
  if (files.length > config.maxUploadFiles) {
    return refuse(
      res,
      'PAYLOAD_TOO_LARGE',
      `At most ${config.maxUploadFiles} files per upload; got ${files.length}. Split them into several uploads.`,
    );
  }

  const results: UploadResult[] = [];
  const stored: string[] = [];
  for (const file of files) {
    const filename = (file as Blob & { name?: string }).name || null;
    if (file.size > config.maxUploadBytes) {
      results.push({
        filename,
        imageId: null,
        created: false,
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `${filename ?? 'The file'} has ${file.size} bytes; the limit is ${config.maxUploadBytes}.`,
        },
      });
      continue;
    }
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const { image, created } = await ingestImage(services.db, bytes, {
        filename,
        source: 'upload',
        uploaderVoterId: voterId,
        limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      });
      results.push({ filename, imageId: image.id, created });
      stored.push(image.id);
    } catch (error) {
      const { code, message } = describeError(error);
      if (code === 'INTERNAL_SERVER_ERROR') throw error;
      results.push({
        filename,
        imageId: null,
        created: false,
        error: { code, message: filename ? `${filename}: ${message}` : message },
      });
    }
  }
  if (results.some((r) => r.created)) services.cache.invalidate();
  // Captioning runs in the background; an already stored image only gets the captions it still lacks.
  if (config.captionOnUpload && stored.length > 0) services.captions.captionInBackground(stored);
  const firstError = results.find((r) => r.error)?.error;
  sendJson(res, stored.length > 0 || !firstError ? 200 : httpStatusFor(firstError.code), { results });
}
