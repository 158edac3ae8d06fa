import { ConfigError } from './errors';
import { EnvReader } from './env-reader';
import { loadConfig, type LogLevel, type PayloadKey } from './index';
import { payloadKeysRequired } from './payload-keys-required';
import type { Secret } from './secret';
import type { Env } from './secret-files';

export interface CodecServerConfig {
  host: string;
  port: number;
  /** CODEC_AUTH_TOKEN: the bearer token every encode/decode request must carry. Undefined only with --no-auth. */
  authToken: Secret | undefined;
  /** Origins (scheme://host[:port]) a browser may call from: the Temporal Web UI's. Empty: no CORS at all. */
  corsOrigins: string[];
  /** Largest request body accepted (413 beyond). */
  maxBodyBytes: number;
  payloadKeys: PayloadKey[];
  logLevel: LogLevel;
}

export const CODEC_DEFAULT_PORT = 8888;
export const CODEC_MIN_TOKEN_LENGTH = 32;
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const ORIGIN = /^https?:\/\/[^/\s?#]+$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host);
}

/**
 * The codec server's configuration: the payload keys (PAYLOAD_ENCRYPTION_KEYS) and its own CODEC_* variables.
 * `noAuth` (dev mode only) is refused unless the server listens on a loopback address.
 */
export function loadCodecServerConfig(env: Env = process.env, options: { noAuth?: boolean } = {}): CodecServerConfig {
  const base = loadConfig(env);
  if (base.temporal.payloadKeys.length === 0) throw payloadKeysRequired('the codec server');
  const read = new EnvReader(env);
  const host = read.string('CODEC_SERVER_HOST', '0.0.0.0');
  const port = read.int('CODEC_SERVER_PORT', CODEC_DEFAULT_PORT, 1, 65535);
  const maxBodyBytes = read.int('CODEC_MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1024, 64 * 1024 * 1024);
  const authToken = read.secret('CODEC_AUTH_TOKEN');
  if (options.noAuth) {
    if (!isLoopbackHost(host)) read.problems.push(`--no-auth: refused while CODEC_SERVER_HOST is '${host}'; it is for a local dev server only, set CODEC_SERVER_HOST=127.0.0.1`);
  } else if (!authToken) {
    read.problems.push(
      'CODEC_AUTH_TOKEN: required, the codec server shows decrypted workflow data; mount it as a secret file (codec_auth_token) or set it, generated with: openssl rand -hex 32',
    );
  } else if (authToken.reveal().length < CODEC_MIN_TOKEN_LENGTH || /\s/.test(authToken.reveal())) {
    read.problems.push(`CODEC_AUTH_TOKEN: must be at least ${CODEC_MIN_TOKEN_LENGTH} characters without spaces; generate one with: openssl rand -hex 32`);
  }
  const corsOrigins = (read.optionalString('CODEC_CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (origin === '*') {
      read.problems.push("CODEC_CORS_ORIGINS: '*' is refused, any web page could read decrypted data; list the Temporal Web UI's origin, e.g. https://temporal.example.com");
    } else if (!ORIGIN.test(origin)) {
      read.problems.push(`CODEC_CORS_ORIGINS: '${origin}' is not an origin; write scheme://host[:port] with no path, e.g. https://temporal.example.com`);
    }
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return {
    host,
    port,
    authToken: options.noAuth ? undefined : authToken,
    corsOrigins: corsOrigins.map((o) => o.replace(/\/$/, '').toLowerCase()),
    maxBodyBytes,
    payloadKeys: base.temporal.payloadKeys,
    logLevel: base.logLevel,
  };
}
