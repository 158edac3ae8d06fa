import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { distributeDatabase, dropOnWorkers, testingOnCitus } from './citus-cluster';

export interface ScratchDatabase {
  name: string;
  /** The process config with DB_NAME_SERVER pointing at the scratch database. */
  config: Config;
  drop: () => Promise<void>;
}

/**
 * Creates an empty database on the test server; drop() removes it, closing any session still on it.
 * On Citus (TEST_DATABASE=citus) it is created on every node, with the extension and the node list.
 */
export async function createScratchDatabase(prefix = 'tw_scratch'): Promise<ScratchDatabase> {
  const base = loadConfig(process.env);
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const citus = testingOnCitus();
  await withMaintenanceConnection(base.db, (k) => k.raw('CREATE DATABASE ??', [name]));
  if (citus) await distributeDatabase(base.db, name);
  return {
    name,
    config: { ...base, db: { ...base.db, database: name } },
    drop: async () => {
      await withMaintenanceConnection(base.db, async (k) => void (await k.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name])));
      if (citus) await dropOnWorkers(base.db, name);
    },
  };
}
