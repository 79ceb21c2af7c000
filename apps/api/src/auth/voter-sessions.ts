// Voter sessions: the anonymous voter identity is issued by the API and signed (HMAC-SHA256), so a client can
// hold an identity but never choose or forge one. A token is `<voter id>.<signature>`; the web keeps it in an
// httpOnly cookie and forwards it as the `x-voter-session` header.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const VOTER_SESSION_HEADER = 'x-voter-session';

export interface VoterSession {
  voterId: string;
  token: string;
}

export interface VoterSessions {
  /** A fresh voter id and its signed token. */
  issue(): VoterSession;
  /** The voter id of a correctly signed token; null for anything else (absent, malformed, forged). */
  verify(token: string | string[] | undefined): string | null;
}

const tokenPattern = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export function voterSessions(secret: Buffer): VoterSessions {
  // Domain-separated so the secret's signatures mean nothing outside voter sessions.
  const sign = (voterId: string) => createHmac('sha256', secret).update(`voter-session:v1:${voterId}`).digest();
  return {
    issue() {
      const voterId = randomUUID();
      return { voterId, token: `${voterId}.${sign(voterId).toString('base64url')}` };
    },
    verify(header) {
      const value = Array.isArray(header) ? header[0] : header;
      const match = value ? tokenPattern.exec(value.trim()) : null;
      if (!match) return null;
      const given = Buffer.from(match[2]!, 'base64url');
      const expected = sign(match[1]!);
      return given.length === expected.length && timingSafeEqual(given, expected) ? match[1]! : null;
    },
  };
}
