import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors';

/** Where `tenant-workflows dev` keeps its secrets (the payload key among them), relative to where it ran. */
export const DEV_SECRETS_DIR = join('.data', 'secrets');

/**
 * The configuration error of a process that needs PAYLOAD_ENCRYPTION_KEYS and has none (exit 78). Next to
 * a dev-mode data directory it names the SECRETS_DIR that holds dev mode's key.
 */
export function payloadKeysRequired(who: string): ConfigError {
  const dev = existsSync(join(DEV_SECRETS_DIR, 'payload_encryption_keys'))
    ? `; dev mode keeps its key in ${DEV_SECRETS_DIR}: export SECRETS_DIR=${DEV_SECRETS_DIR}`
    : '';
  return new ConfigError([
    `PAYLOAD_ENCRYPTION_KEYS: required by ${who}, workflow payloads carry passwords; generate a key with: echo "k1:$(openssl rand -base64 32)"${dev}`,
  ]);
}
