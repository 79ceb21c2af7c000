// The gallery server's configuration, read from the environment and validated once (zod). Only server code
// (route handlers, server components, next.config.ts) imports this; everything else receives values from it.
import { z } from 'zod';
import { apiUrlSetting } from './server/settings.mjs';

const envSchema = z.object({
  /** Origin of apps/api; read when the server starts, not at build time. */
  CAPTIONER_API_URL: apiUrlSetting,
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
