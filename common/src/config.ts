// Configuration: defaults → .env file → process environment → zod parse, failing
// fast with every bad variable named (LiveKit's DefaultConfig → env → Validate order).
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';

let dotenvLoaded = false;

/** Reads `.env` from the working directory once; real environment variables win. */
export function loadEnvFile(): void {
  if (dotenvLoaded) return;
  dotenvLoaded = true;
  loadDotenv({ quiet: true });
}

export class ConfigError extends Error {
  constructor(
    readonly component: string,
    readonly issues: string[],
  ) {
    super(`invalid ${component} configuration: ${issues.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with a schema whose keys are environment variable names. */
export function parseEnv<S extends z.ZodObject>(
  component: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      component,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** `"1" | "true" | "yes"` → true; anything else → false. For boolean environment flags. */
export const envFlag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && ['1', 'true', 'yes'].includes(v.toLowerCase()));
