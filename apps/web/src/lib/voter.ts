// The anonymous voter identity: a random id kept in a cookie (set by src/proxy.ts) and forwarded to the API
// as the `x-voter-id` header, so ratings and preferences are one per person without accounts.
export const VOTER_COOKIE = 'captioner_voter';
export const VOTER_HEADER = 'x-voter-id';

/** Voter ids we accept from a cookie: what crypto.randomUUID() makes, nothing a client could abuse. */
export function isValidVoterId(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f-]{36}$/i.test(value);
}
