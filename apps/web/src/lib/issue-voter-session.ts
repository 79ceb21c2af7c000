// Asks the API for a new signed voter session on behalf of a visitor. Returns null when the API refuses (rate
// limit) or is unreachable: the pages still render, and voting explains that a session is missing.
import { apiOrigin } from './api-origin';
import { isWellFormedVoterSession } from './voter';

export async function issueVoterSession(forwardedFor: string | null): Promise<string | null> {
  try {
    const response = await fetch(`${apiOrigin}/voter-session`, {
      method: 'POST',
      // The API counts new sessions per client address; it trusts this header only from the web's address.
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      cache: 'no-store',
    });
    if (response.status !== 201) return null;
    const { token } = (await response.json()) as { token?: string };
    return isWellFormedVoterSession(token) ? token : null;
  } catch {
    return null;
  }
}
