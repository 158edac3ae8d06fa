import { envThroughPgBouncer, pgbouncerInstalled, PGBOUNCER, setSessionLimitsOnRole, startPgBouncer } from '../../test/harness/pgbouncer';
import type { ProvisioningStack } from '../lib/provisioning-stack';

export interface PgBouncerFront {
  /** The workers' environment, pointed at PgBouncer. */
  workerEnv: NodeJS.ProcessEnv;
  description: string;
  stop: () => Promise<void>;
}

/**
 * A real PgBouncer in transaction pooling mode between the worker processes and the run's database, set
 * up as the README tells operators to: the session limits on the role instead of startup parameters.
 * Everything else (the load's client, the checks, the faults on the server) still talks to PostgreSQL
 * directly. Fewer server connections than the workers' pools together, so PgBouncer really multiplexes.
 */
export async function putPgBouncerInFront(stack: ProvisioningStack, workerEnv: NodeJS.ProcessEnv, serverConnections: number): Promise<PgBouncerFront> {
  if (!pgbouncerInstalled()) throw new Error(`--pgbouncer: no pgbouncer at ${PGBOUNCER}: apt-get install -y pgbouncer, or set PGBOUNCER_PATH`);
  const { db } = stack.config;
  await setSessionLimitsOnRole(db, db.admin.user, db.database);
  const bouncer = await startPgBouncer({ serverHost: db.host, serverPort: db.port, users: [db.admin, db.server], poolSize: serverConnections });
  return {
    workerEnv: envThroughPgBouncer(workerEnv, bouncer),
    description: `PgBouncer (transaction pooling, ${serverConnections} server connections) at ${bouncer.host}:${bouncer.port}`,
    stop: bouncer.stop,
  };
}
