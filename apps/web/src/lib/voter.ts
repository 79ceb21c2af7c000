// The anonymous voter identity: a session token the API issues and signs (POST /voter-session), kept in an
// httpOnly cookie (set by src/proxy.ts) and forwarded to the API as the `x-voter-session` header. The web cannot
// mint or check signatures; the API rejects anything it did not sign.
export const VOTER_COOKIE = 'captioner_voter';
export const VOTER_SESSION_HEADER = 'x-voter-session';

/** Tokens shaped like the API's `<uuid>.<base64url HMAC>`; anything else is not worth forwarding. */
export function isWellFormedVoterSession(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/i.test(value);
}
