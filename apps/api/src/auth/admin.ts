// The admin role: operations that read server directories, run long jobs or remove anyone's data need the admin
// credential (CAPTIONER_ADMIN_TOKEN) as `Authorization: Bearer <token>`. No token configured means no admin at all:
// the API never makes one up (`npm start` generates one for the local demo and prints it).
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../errors.js';

export type AdminStatus = 'admin' | 'no-credential' | 'wrong-credential' | 'disabled';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** What an Authorization header proves against the configured token. */
export function adminStatus(configuredToken: string | undefined, authorization: string | undefined): AdminStatus {
  if (!configuredToken) return 'disabled';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return 'no-credential';
  // Equal-length digests: the comparison takes the same time whatever the given token's length or content.
  return timingSafeEqual(digest(match[1]!), digest(configuredToken)) ? 'admin' : 'wrong-credential';
}

const refusals: Record<Exclude<AdminStatus, 'admin'>, string> = {
  disabled:
    'Admin operations are disabled on this server: it has no CAPTIONER_ADMIN_TOKEN configured. Set one to enable them.',
  'no-credential':
    'This is an admin operation: send the admin token as `Authorization: Bearer <token>` (on the web, enter it in the admin token field).',
  'wrong-credential': 'The admin token is not valid; nothing was changed. Check CAPTIONER_ADMIN_TOKEN.',
};

/** Throws FORBIDDEN, saying why, unless the request carries the admin token. */
export function requireAdminStatus(status: AdminStatus, operation: string): void {
  if (status !== 'admin') throw new ApiError('FORBIDDEN', `${operation}: ${refusals[status]}`);
}
