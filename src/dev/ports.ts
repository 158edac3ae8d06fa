import { createServer } from 'node:net';
import { EXIT } from '../exit-codes';
import { StartupError } from '../lifecycle/startup-error';
import { freePort } from '../net';

/** Whether nothing listens on 127.0.0.1:port (a listen succeeds). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface DevPort {
  /** What listens there, for messages: "PostgreSQL". */
  service: string;
  /** The flag that sets it: "--db-port". */
  flag: string;
  /** The port asked for with the flag, if any. */
  requested: number | undefined;
  preferred: number;
}

/**
 * The port a dev server listens on: the one its flag asks for, which must be free (else exit 75 naming
 * it), or the usual one, or when that is taken a free one (said in `notes`, and in the banner).
 */
export async function chooseDevPort(port: DevPort, notes: string[]): Promise<number> {
  if (port.requested !== undefined) {
    if (await isPortFree(port.requested)) return port.requested;
    throw new StartupError(`port ${port.requested} (${port.service}, ${port.flag}) is in use by another process; choose another with ${port.flag}`, EXIT.TEMP_FAILURE);
  }
  if (await isPortFree(port.preferred)) return port.preferred;
  const chosen = await freePort();
  notes.push(`port ${port.preferred} (${port.service}) is in use by another process: using ${chosen} instead (${port.flag} to choose)`);
  return chosen;
}

export function parsePortFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartupError(`${flag}: '${value}' is not a port number (1-65535)`, EXIT.USAGE);
  return port;
}
