// POST /upload: multipart/form-data with one or more `file` fields. The body is streamed: each file goes to a
// temporary file as it arrives (at most CAPTIONER_MAX_UPLOAD_BYTES of it), so a request is never held in memory
// whole. Each file is then validated, stored (deduplicated by SHA-256: the same bytes return the existing id with
// created=false) and queued for captioning by every loaded model. Answers {results: [{filename, imageId, created,
// error?: {code, message}}]}, one per file in order: 200 when at least one file was stored, else the status of the
// first file's error. Request-level refusals ({results: [], error}) store nothing.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VOTER_SESSION_HEADER } from '../auth/voter-sessions.js';
import { httpStatusFor, type ErrorCode } from '../errors.js';
import type { Services } from '../graphql/context.js';
import { ingestImage } from '../images/ingest-image.js';
import { describeError } from '../to-api-error.js';
import { withinRateLimit } from './rate-limited.js';
import { closeAfterResponse } from './respond.js';

export interface UploadResult {
  filename: string | null;
  imageId: string | null;
  created: boolean;
  error?: { code: ErrorCode; message: string };
}

interface ReceivedFile {
  filename: string | null;
  path: string;
  /** More bytes arrived than CAPTIONER_MAX_UPLOAD_BYTES; the rest was dropped. */
  truncated: boolean;
}

/** Multipart framing per file on top of the file bytes. */
const overheadPerFile = 64 * 1024;

class RequestRefused extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function refuse(reply: FastifyReply, code: ErrorCode, message: string) {
  return reply
    .code(httpStatusFor(code))
    .header('cache-control', 'no-store')
    .send({ results: [], error: { code, message } });
}

/** Streams the `file` parts into `dir`; other parts are read past. */
async function receiveFiles(request: FastifyRequest, dir: string, services: Services): Promise<ReceivedFile[]> {
  const { config } = services;
  const files: ReceivedFile[] = [];
  try {
    const parts = request.parts({
      limits: {
        fileSize: config.maxUploadBytes,
        files: config.maxUploadFiles,
        fields: 20,
        parts: config.maxUploadFiles + 20,
      },
    });
    for await (const part of parts) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') {
        part.file.resume();
        continue;
      }
      const target = path.join(dir, String(files.length));
      await pipeline(part.file, createWriteStream(target));
      files.push({ filename: part.filename || null, path: target, truncated: part.file.truncated });
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
      throw new RequestRefused(
        'PAYLOAD_TOO_LARGE',
        `At most ${config.maxUploadFiles} files per upload; got more. Split them into several uploads.`,
      );
    }
    throw new RequestRefused(
      'BAD_USER_INPUT',
      'The body is not valid multipart/form-data; attach images as `file` fields.',
    );
  }
  return files;
}

async function storeFiles(services: Services, files: ReceivedFile[], voterId: string | null): Promise<UploadResult[]> {
  const { config } = services;
  const results: UploadResult[] = [];
  for (const file of files) {
    const { filename } = file;
    if (file.truncated) {
      results.push({
        filename,
        imageId: null,
        created: false,
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `${filename ?? 'The file'} has more than ${config.maxUploadBytes} bytes, the limit.`,
        },
      });
      continue;
    }
    try {
      const bytes = new Uint8Array(await readFile(file.path));
      const { image, created } = await ingestImage(services.db, bytes, {
        filename,
        source: 'upload',
        uploaderVoterId: voterId,
        limits: { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
      });
      results.push({ filename, imageId: image.id, created });
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
  return results;
}

async function handleUpload(services: Services, request: FastifyRequest, reply: FastifyReply) {
  const { config } = services;
  // multipart/form-data is a "simple" content type a foreign page could post; refuse cross-site browser requests.
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    return refuse(reply, 'BAD_REQUEST', 'Cross-site uploads are refused; upload through the gallery (same origin).');
  }
  const voterId = services.voterSessions.verify(request.headers[VOTER_SESSION_HEADER]);
  // Counted before the body is read, so a limited client costs no parsing.
  if (!(await withinRateLimit(services, request, reply, 'upload', voterId, (error) => ({ results: [], error }))))
    return reply;
  if (!request.isMultipart()) {
    closeAfterResponse(reply);
    return refuse(reply, 'BAD_USER_INPUT', 'Send the images as multipart/form-data with one `file` field per image.');
  }
  const limit = Math.min(
    config.maxUploadRequestBytes,
    config.maxUploadFiles * (config.maxUploadBytes + overheadPerFile),
  );
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    closeAfterResponse(reply);
    return refuse(
      reply,
      'PAYLOAD_TOO_LARGE',
      `The upload is larger than ${limit} bytes (at most ${config.maxUploadFiles} files of ${config.maxUploadBytes} bytes each). Send fewer or smaller files per request.`,
    );
  }
  if (declared === 0)
    return refuse(reply, 'BAD_USER_INPUT', 'The request body is empty; attach at least one image as a `file` field.');

  const dir = await mkdtemp(path.join(os.tmpdir(), 'captioner-upload-'));
  try {
    let files: ReceivedFile[];
    try {
      files = await receiveFiles(request, dir, services);
    } catch (error) {
      if (!(error instanceof RequestRefused)) throw error;
      closeAfterResponse(reply);
      return refuse(reply, error.code, error.message);
    }
    if (files.length === 0)
      return refuse(reply, 'BAD_USER_INPUT', 'No `file` field with a file in the upload; attach at least one image.');
    const results = await storeFiles(services, files, voterId);
    const stored = results.flatMap((r) => (r.imageId ? [r.imageId] : []));
    if (results.some((r) => r.created)) services.cache.invalidate();
    // Captioning runs in the background; an already stored image only gets the captions it still lacks.
    if (config.captionOnUpload && stored.length > 0) services.captions.captionInBackground(stored);
    const firstError = results.find((r) => r.error)?.error;
    return reply
      .code(stored.length > 0 || !firstError ? 200 : httpStatusFor(firstError.code))
      .header('cache-control', 'no-store')
      .send({ results });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function uploadRoute(services: Services, track: <T>(work: Promise<T>) => Promise<T>) {
  return async (app: FastifyInstance) => {
    // Too large a file is reported in its result (part.file.truncated), not as an error ending the request.
    await app.register(multipart, { throwFileSizeLimit: false });
    // Any other body is left unread: the handler refuses it without parsing.
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    app.post('/upload', (request, reply) => track(handleUpload(services, request, reply)));
  };
}
