import { resolve } from 'node:path';

/** The settings dev mode prints for other shells; found again in a shell that ran them, they are dev's own. */
export const PRINTED_SETTINGS = ['DB_HOST', 'DB_PORT', 'DB_NAME_SERVER', 'DB_USER_ADMIN', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL'] as const;

/**
 * In a shell where dev mode's printed export line was run (SECRETS_DIR is its own secrets directory), the
 * DB_* and TEMPORAL_* values point at the servers it started and stopped: they are removed from `env`, so
 * it starts its own again instead of connecting to nothing, and `notes` says so.
 */
export function forgetOwnPrintedSettings(env: NodeJS.ProcessEnv, secretsDir: string, notes: string[]): void {
  if (!env.SECRETS_DIR || resolve(env.SECRETS_DIR) !== resolve(secretsDir)) return;
  const own = PRINTED_SETTINGS.filter((name) => env[name] !== undefined);
  if (own.length === 0) return;
  for (const name of own) delete env[name];
  notes.push(`${own.join(', ')} in this shell are the settings dev mode printed (SECRETS_DIR=${env.SECRETS_DIR}): starting its own servers again`);
}
