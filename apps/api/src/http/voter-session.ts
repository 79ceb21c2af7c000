// POST /voter-session: issues a new anonymous voter identity as a signed token. The web calls it once per visitor
// and keeps the token in an httpOnly cookie; API clients send it back as the `x-voter-session` header. New sessions
// are rate-limited per client address, so clearing cookies does not mint unlimited voters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../graphql/context.js';
import { withinRateLimit } from './rate-limited.js';
import { sendJson } from './respond.js';

export async function handleVoterSession(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(await withinRateLimit(services, req, res, 'session', null, (error) => ({ error })))) return;
  const { voterId, token } = services.voterSessions.issue();
  sendJson(res, 201, { voterId, token });
}
