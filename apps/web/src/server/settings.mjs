// The settings of server.mjs (the process that owns the socket), read from the environment and validated once
// with zod before Next.js starts. The app's own settings are in src/config.ts.
import { z } from 'zod';

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

/** Origin of apps/api: where server.mjs relays WebSocket upgrades, and where the app sends GraphQL (src/config.ts). */
export const apiUrlSetting = z
  .string()
  .trim()
  .default('')
  .transform((v) => v || DEFAULT_API_URL)
  .pipe(
    z
      .string()
      .refine((v) => URL.canParse(v), {
        message: `not a valid URL. Set it to the API's origin, e.g. ${DEFAULT_API_URL}`,
      })
      .refine((v) => !URL.canParse(v) || ['http:', 'https:'].includes(new URL(v).protocol), {
        message: 'must be http(s)',
      }),
  );

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** Reverse proxies in front of the web (0: clients connect directly); see client-address.mjs. */
  CAPTIONER_WEB_TRUSTED_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  CAPTIONER_API_URL: apiUrlSetting,
});

/** Every variable server.mjs reads; apps/web/README.md's table must list them (test/config-docs.test.ts). */
export const serverConfigVariables = Object.keys(envSchema.shape);

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ port: number, host: string, trustedHops: number, apiOrigin: string }}
 */
export function loadServerSettings(env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}\nSee apps/web/README.md.`);
  }
  const { PORT, HOST, CAPTIONER_WEB_TRUSTED_HOPS, CAPTIONER_API_URL } = parsed.data;
  return {
    port: PORT,
    host: HOST,
    trustedHops: CAPTIONER_WEB_TRUSTED_HOPS,
    apiOrigin: new URL(CAPTIONER_API_URL).origin,
  };
}
