import { parseArgs } from 'node:util';
import { startCodecServer } from '../codec-server/server';
import { loadCodecServerConfig } from '../config/codec-server';
import { EXIT } from '../exit-codes';
import { claimStopSignals } from '../lifecycle/stop-signals';
import { StartupError } from '../lifecycle/startup-error';
import { createLogger } from '../logging';

export const CODEC_SERVER_USAGE = `Usage: tenant-workflows codec-server [--port N] [--host ADDR] [--no-auth]

Serves Temporal's codec protocol for the Temporal Web UI and the temporal CLI: POST /encode, POST /decode
(and /{namespace}/encode, /{namespace}/decode). Decodes with PAYLOAD_ENCRYPTION_KEYS and redacts secret
fields (passwords, temporary passwords, the request digest) before answering. GET /healthz for probes.
  CODEC_AUTH_TOKEN     required bearer token (or secret file codec_auth_token): openssl rand -hex 32
  CODEC_SERVER_PORT    default 8888 (--port)      CODEC_SERVER_HOST  default 0.0.0.0 (--host)
  CODEC_CORS_ORIGINS   the Web UI's origin(s), comma-separated, e.g. https://temporal.example.com
  CODEC_MAX_BODY_BYTES largest request body, default 4194304
  --no-auth            no token (a local dev server only; refused unless the host is loopback)
The temporal CLI: temporal workflow show -w tenant-<slug> --codec-endpoint http://HOST:8888 --codec-auth "Bearer $CODEC_AUTH_TOKEN"
Runs until SIGTERM or SIGINT. Exits 78 on a configuration error, 75 when the port is in use.`;

export async function codecServerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, 'no-auth': { type: 'boolean' } },
  });
  const env = { ...process.env, ...(values.port ? { CODEC_SERVER_PORT: values.port } : {}), ...(values.host ? { CODEC_SERVER_HOST: values.host } : {}) };
  const config = loadCodecServerConfig(env, { noAuth: values['no-auth'] ?? false });
  const logger = createLogger(config.logLevel);
  const stop = claimStopSignals();
  const codec = await startCodecServer(config, logger).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(`CODEC_SERVER_PORT ${config.port} is already in use by another process: stop it, or choose another with --port`, EXIT.TEMP_FAILURE);
    }
    throw error;
  });
  logger.info(
    { url: codec.url, auth: config.authToken ? 'bearer' : 'none (--no-auth)', corsOrigins: config.corsOrigins, maxBodyBytes: config.maxBodyBytes, keyIds: config.payloadKeys.map((k) => k.id) },
    'codec server listening',
  );
  await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  logger.info('codec server stopping');
  await codec.close();
  return EXIT.OK;
}
