// The gallery server's configuration, read from the environment and validated once (zod). Only server code
// (route handlers, server components, next.config.ts) imports this; everything else receives values from it.
import { z } from 'zod';

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

const envSchema = z.object({
  /** Origin of apps/api; read when the server starts, not at build time. */
  CAPTIONER_API_URL: z
    .string()
    .trim()
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
    )
    .default(DEFAULT_API_URL),
  /** Set by Next.js: development relaxes the CSP for React refresh. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

/** Every variable the gallery's own code reads; apps/web/README.md's table must list them (test/config-docs.test.ts). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export interface WebConfig {
  /** `scheme://host[:port]` of the API. */
  apiOrigin: string;
  dev: boolean;
}

/** Parses the environment; throws one error naming every bad variable and what it expects. */
export function loadConfig(env: Record<string, string | undefined>): WebConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration in the environment:\n${lines.join('\n')}\nSee apps/web/README.md.`);
  }
  return { apiOrigin: new URL(parsed.data.CAPTIONER_API_URL).origin, dev: parsed.data.NODE_ENV !== 'production' };
}

export const config: WebConfig = loadConfig(process.env);
