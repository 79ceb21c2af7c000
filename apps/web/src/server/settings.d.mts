import type { z } from 'zod';

export const apiUrlSetting: z.ZodType<string, string | undefined>;
export const serverConfigVariables: readonly string[];
export function loadServerSettings(env: Record<string, string | undefined>): {
  port: number;
  host: string;
  trustedHops: number;
  apiOrigin: string;
};
