// The admin token (the API's CAPTIONER_ADMIN_TOKEN) as entered on the Evaluations page: kept in this tab's
// sessionStorage only, so it is gone when the tab closes and the web server never stores it. clientQuery sends it
// as `Authorization: Bearer` and the /graphql proxy passes that header on.
const KEY = 'captioner_admin_token';

export function readAdminToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage blocked, or not in a browser
  }
}

export function storeAdminToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}
