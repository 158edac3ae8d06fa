import { startCodecServer, type CodecServer } from '../codec-server/server';
import type { Config } from '../config';
import type { Logger } from '../logging';

/**
 * Dev mode's codec server, for the local Temporal UI (`start-dev --ui-codec-endpoint`): on 127.0.0.1 only,
 * without a token (the UI of the dev server sends none; whoever can reach it locally can read the key file
 * in the data directory anyway), answering browsers from the UI's origin alone. Secrets are redacted as in
 * production.
 */
export function startDevCodecServer(config: Config, port: number, uiPort: number, logger: Logger): Promise<CodecServer> {
  return startCodecServer(
    {
      host: '127.0.0.1',
      port,
      authToken: undefined,
      corsOrigins: [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`],
      maxBodyBytes: 4 * 1024 * 1024,
      payloadKeys: config.temporal.payloadKeys,
      logLevel: config.logLevel,
    },
    logger.child({ component: 'codec-server' }),
  );
}
