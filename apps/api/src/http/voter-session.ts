// POST /voter-session: issues a new anonymous voter identity as a signed token. The web calls it once per visitor
// and keeps the token in an httpOnly cookie; API clients send it back as the `x-voter-session` header. New sessions
// are rate-limited per client address, so clearing cookies does not mint unlimited voters.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../graphql/context.js';
import { withinRateLimit } from './rate-limited.js';

export async function handleVoterSession(services: Services, request: FastifyRequest, reply: FastifyReply) {
  if (!(await withinRateLimit(services, request, reply, 'session', null, (error) => ({ error })))) return reply;
  const { voterId, token } = services.voterSessions.issue();
  return reply.code(201).header('cache-control', 'no-store').send({ voterId, token });
}
