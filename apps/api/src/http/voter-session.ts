// POST /voter-session: issues a new anonymous voter identity as a signed token. The web calls it once per visitor
// and keeps the token in an httpOnly cookie; API clients send it back as the `x-voter-session` header.
import type { ServerResponse } from 'node:http';
import type { Services } from '../graphql/context.js';
import { sendJson } from './respond.js';

export function handleVoterSession(services: Services, res: ServerResponse): void {
  const { voterId, token } = services.voterSessions.issue();
  sendJson(res, 201, { voterId, token });
}
