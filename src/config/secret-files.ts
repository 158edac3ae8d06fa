import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from './secret';

export const DEFAULT_SECRETS_DIR = '/run/secrets';

/** The file name a secret is mounted under: the variable's name in lower case (DB_PASSWORD_ADMIN → db_password_admin). */
export function secretFileName(envVar: string): string {
  return envVar.toLowerCase();
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A secret from a mounted file (`$SECRETS_DIR/<name>`, /run/secrets by default) or else from
 * the environment variable; trimmed; undefined when neither holds a value. The value is never
 * logged: errors name the file or the variable, not what is in it.
 */
export function getSecret(name: string, envVar: string, env: Env = process.env): Secret | undefined {
  const path = join(env.SECRETS_DIR || DEFAULT_SECRETS_DIR, name);
  let raw: string | undefined;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new Error(`${envVar}: cannot read secret file ${path} (${code ?? 'unknown error'}); fix its permissions or remove it`, {
        cause: error,
      });
    }
    raw = env[envVar];
  }
  const value = raw?.trim();
  return value ? new Secret(value) : undefined;
}
