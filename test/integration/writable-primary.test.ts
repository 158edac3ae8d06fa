import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { DatabaseError } from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { APPLICATION_NAME } from '../../src/db/admin';
import { openDatabase, type Database } from '../../src/db/database';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { guardOf, ServerNotWritableError, type ConnectionCheckResult } from '../../src/db/writable-primary';
import { createLogger } from '../../src/logging';
import { replicationUnavailable, startReplicatedPostgres, type ReplicatedPostgres } from '../harness/replicated-postgres';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { startSwitchableProxy, type SwitchableProxy } from '../harness/switchable-proxy';
import { waitFor } from '../harness/wait-for';

/** What the pool's guard reported, and the JSON log lines the pool wrote. */
interface Observed {
  checks: ConnectionCheckResult[];
  discarded: string[];
  recoveries: number[];
  logs: Array<{ msg: string; sqlState?: string; recoveryMs?: number; check?: string }>;
}

/** Every Database a test opened; closed after each test. */
const opened: Database[] = [];
function openPool(config: Config, logger = createLogger(config.logLevel)): Knex {
  const database = openDatabase(config, logger);
  opened.push(database);
  return database.admin;
}
async function closePools(): Promise<void> {
  for (const database of opened.splice(0)) await database.close();
}

/** The admin pool of `config` with one connection at most, its logs and its guard's events captured. */
function singleConnectionPool(config: Config): { knex: Knex; observed: Observed } {
  const observed: Observed = { checks: [], discarded: [], recoveries: [], logs: [] };
  const lines = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) observed.logs.push(JSON.parse(line) as Observed['logs'][number]);
      callback();
    },
  });
  const knex = openPool({ ...config, db: { ...config.db, pool: { ...config.db.pool, min: 0, max: 1 } } }, createLogger('info', lines));
  guardOf(knex)!.subscribe({
    checked: (result) => observed.checks.push(result),
    discarded: (reason) => observed.discarded.push(reason),
    recovered: (ms) => observed.recoveries.push(ms),
  });
  return { knex, observed };
}

const backendPid = async (knex: Knex) => (await knex.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
const insertProbe = (knex: Knex, id: number) => knex.transaction(async (trx) => void (await trx('public.failover_probe').insert({ id })));
const probeIds = async (knex: Knex) => (await knex('public.failover_probe').orderBy('id').pluck<number[]>('id')).map(Number);

describe('the admin pool on a server that turns read-only (one real PostgreSQL)', () => {
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase('tw_failover');
    const knex = openPool(scratch.config);
    await knex.raw('CREATE TABLE public.failover_probe (id integer PRIMARY KEY)');
    await closePools();
  });

  afterEach(async () => {
    await closePools();
    await scratch.drop();
  });

  it('discards a connection that answered 25006 and runs the next attempt on a new, writable connection', async () => {
    const { knex, observed } = singleConnectionPool(scratch.config);
    const stalePid = await backendPid(knex);
    // The pool's one connection is now read-only, as every session of a demoted primary is.
    await knex.raw('SET SESSION default_transaction_read_only = on');

    const refused = await insertProbe(knex, 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DatabaseError);
    expect((refused as DatabaseError).code).toBe('25006');

    // The retry: a new connection (not the read-only one the pool held), and the row is written.
    await insertProbe(knex, 1);
    expect(await backendPid(knex)).not.toBe(stalePid);
    expect(await probeIds(knex)).toEqual([1]);
    // The stale backend was closed by the pool, not left open.
    await waitFor(
      () => withMaintenanceConnection(scratch.config.db, async (m) => (await m.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [stalePid])).rows.length === 0),
      'the discarded backend to end',
    );

    expect(observed.discarded).toEqual(['25006']);
    expect(observed.checks).toEqual(['writable', 'writable']);
    expect(observed.recoveries).toHaveLength(1);
    expect(observed.logs.find((l) => l.msg.startsWith('database connection discarded'))).toMatchObject({ sqlState: '25006' });
    expect(observed.logs.find((l) => l.msg.startsWith('database writable again'))?.recoveryMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps a connection whose statement failed for its own reasons (a unique violation)', async () => {
    const { knex, observed } = singleConnectionPool(scratch.config);
    await insertProbe(knex, 1);
    const pid = await backendPid(knex);
    await expect(insertProbe(knex, 1)).rejects.toMatchObject({ code: '23505' });
    expect(await backendPid(knex)).toBe(pid);
    expect(observed.discarded).toEqual([]);
  });

  it('refuses a new connection to a read-only server, closes it, and connects once the server is writable', async () => {
    const setReadOnly = (on: boolean) =>
      withMaintenanceConnection(scratch.config.db, (m) => m.raw(on ? 'ALTER DATABASE ?? SET default_transaction_read_only = on' : 'ALTER DATABASE ?? RESET default_transaction_read_only', [scratch.name]));
    const { knex, observed } = singleConnectionPool(scratch.config);
    await setReadOnly(true);

    const refused = await knex.raw('SELECT 1').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerNotWritableError);
    expect(refused).toMatchObject({ name: 'ServerNotWritable', reason: 'read_only' });
    // The refused session was closed at once: none of the pool's is left on the database.
    await waitFor(
      () =>
        withMaintenanceConnection(scratch.config.db, async (m) => {
          const { rows } = await m.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_stat_activity WHERE datname = ? AND application_name = ?', [scratch.name, APPLICATION_NAME]);
          return rows.length === 0;
        }),
      'the refused session to end',
    );

    await setReadOnly(false);
    await insertProbe(knex, 7);
    expect(await probeIds(knex)).toEqual([7]);
    expect(observed.checks).toEqual(['read_only', 'writable']);
    expect(observed.discarded).toEqual(['read_only']);
    expect(observed.recoveries).toHaveLength(1);
  });
});

const noReplication = replicationUnavailable();
const describeReplicated = noReplication ? describe.skip : describe;
if (noReplication) console.warn(`skipping the primary/standby failover tests: ${noReplication}`);

describeReplicated('the admin pool through a stable address during a real failover (primary + streaming standby)', () => {
  let cluster: ReplicatedPostgres;
  let proxy: SwitchableProxy;
  let config: Config;

  beforeAll(async () => {
    cluster = await startReplicatedPostgres();
    proxy = await startSwitchableProxy(cluster.primary.address);
    const base = loadConfig({ ...process.env, DB_HOST: proxy.host, DB_PORT: String(proxy.port), DB_USER_ADMIN: cluster.user, DB_PASSWORD_ADMIN: '', DB_NAME_SERVER: 'postgres' });
    config = { ...base, db: { ...base.db, sessionTimeouts: { statementMs: 5000, lockMs: 5000, idleInTransactionMs: 5000 } } };
    const knex = openPool(config);
    await knex.raw('CREATE TABLE public.failover_probe (id integer PRIMARY KEY)');
    await insertProbe(knex, 1);
    await closePools();
  }, 120_000);

  afterAll(async () => {
    await closePools();
    await proxy?.close();
    await cluster?.stop();
  });

  it('refuses the standby, then survives stop + promote + switch: every write lands once, on the new primary', async () => {
    const { knex, observed } = singleConnectionPool(config);
    // The address points at the standby (a DNS name updated before the promotion finished): refused on connect.
    proxy.switchTo(cluster.standby.address);
    await expect(knex.raw('SELECT 1')).rejects.toMatchObject({ name: 'ServerNotWritable', reason: 'in_recovery' });

    // Back on the primary: the pool's connection is open there when the failover starts.
    proxy.switchTo(cluster.primary.address);
    await insertProbe(knex, 2);
    const onOldPrimary = await backendPid(knex);

    // The failover: the primary stops (its sessions get 57P01), the standby is promoted, the address switched.
    await cluster.stopNode(cluster.primary, 'fast');
    const refused = await insertProbe(knex, 3).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    await cluster.promote(cluster.standby);
    proxy.switchTo(cluster.standby.address);

    await insertProbe(knex, 3);
    expect(await backendPid(knex)).not.toBe(onOldPrimary);
    const { rows } = await knex.raw<{ rows: Array<{ in_recovery: boolean }> }>('SELECT pg_is_in_recovery() AS in_recovery');
    expect(rows[0]!.in_recovery).toBe(false);
    // Rows 1 and 2 came over by streaming replication; 3 was written on the promoted server, once.
    expect(await probeIds(knex)).toEqual([1, 2, 3]);
    expect(observed.checks).toEqual(['in_recovery', 'writable', 'writable']);
    expect(observed.recoveries.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
