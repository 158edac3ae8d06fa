import type { Knex } from 'knex';
import type { DatabaseConfig } from '../config';
import { sqlState } from '../db/errors';
import { EXIT } from '../exit-codes';
import type { Logger } from '../logging';
import { StartupError } from './startup-error';
import { sleepUnlessStopped, unlessStopped } from './stop-signals';

const RETRY_DELAY_MS = 1000;
/** The server refused the role or its password: invalid_authorization_specification, invalid_password. */
const REFUSED_ROLE = ['28000', '28P01'];
const MISSING_DATABASE = '3D000';

/**
 * Checks that PostgreSQL accepts the pool's role (one `SELECT 1`), retrying while the server cannot
 * be reached or is starting, for up to `waitMs`, then exits 69; a refused role exits 77 and a missing
 * database 78 at once, since waiting cannot fix them.
 */
export async function checkDatabase(knex: Knex, db: DatabaseConfig, waitMs: number, stop: AbortSignal, logger: Logger): Promise<void> {
  const server = `${db.host}:${db.port}`;
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await unlessStopped(stop, knex.raw('SELECT 1'));
      return;
    } catch (error) {
      if (stop.aborted) throw error;
      const code = sqlState(error);
      const reason = (error as Error).message;
      if (code && REFUSED_ROLE.includes(code)) {
        throw new StartupError(`PostgreSQL at ${server} refused role '${db.admin.user}' (${reason}): check DB_USER_ADMIN and DB_PASSWORD_ADMIN`, EXIT.NO_PERMISSION);
      }
      if (code === MISSING_DATABASE) {
        throw new StartupError(`the database '${db.database}' does not exist on PostgreSQL at ${server}: create it, or fix DB_NAME_SERVER`, EXIT.CONFIG);
      }
      if (Date.now() >= deadline) {
        throw new StartupError(`PostgreSQL at ${server} is unreachable (${code ?? reason}) after ${waitMs / 1000} s: start it, or fix DB_HOST and DB_PORT`, EXIT.UNAVAILABLE);
      }
      if (attempt === 0) logger.warn({ server, reason: code ?? reason, waitMs }, 'PostgreSQL is unreachable; retrying');
      await sleepUnlessStopped(stop, Math.min(RETRY_DELAY_MS, Math.max(0, deadline - Date.now())));
    }
  }
}
