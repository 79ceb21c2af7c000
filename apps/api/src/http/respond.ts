// The plain HTTP endpoints' error shape: {error: {code, message}} with the code's status.
import type { FastifyReply } from 'fastify';
import { httpStatusFor, type ErrorCode } from '../errors.js';

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, status = httpStatusFor(code)) {
  return reply.code(status).header('cache-control', 'no-store').send({ error: { code, message } });
}

/** After refusing a request early, close the connection so the client stops sending the rest of its body. */
export function closeAfterResponse(reply: FastifyReply): void {
  reply.header('connection', 'close');
  reply.raw.once('finish', () => reply.raw.socket?.destroy());
}
