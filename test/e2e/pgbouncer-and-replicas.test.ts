import { randomUUID } from 'node:crypto';
import { connectProvisioningClient, loadConfig } from '../../src/client';
import { withSingleConnection } from '../../src/db/admin';
import { withMaintenanceConnection } from '../../src/db/maintenance';
import { envThroughPgBouncer, pgbouncerInstalled, setSessionLimitsOnRole, startPgBouncer, type PgBouncer } from '../harness/pgbouncer';
import { tenantRequest } from '../harness/tenant-requests';
import { runCli } from '../support/run-cli';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { waitFor } from '../harness/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process';

/**
 * Production shape: several worker replicas, all through a real PgBouncer in transaction pooling mode in
 * front of the test server (plain PostgreSQL, or the Citus coordinator with TEST_DATABASE=citus).
 * PgBouncer rejects the session limits as startup parameters, so behind it DB_*_TIMEOUT_MS are 0 and the
 * limits are the role's defaults in the database, which every server connection PgBouncer opens carries.
 */
const REPLICAS = 3;
const POOL_MAX = 3;
/** Server connections PgBouncer keeps per (database, user): fewer than the replicas' client connections. */
const BOUNCER_POOL = 4;

const base = loadConfig(process.env);
const describeWithBouncer = pgbouncerInstalled() ? describe : describe.skip;
let scratch: ScratchDatabase;
let bouncer: PgBouncer;
let env: NodeJS.ProcessEnv;
const workers: WorkerProcess[] = [];

/**
 * Client backends on the server serving the scratch database (our checks connect to `postgres`), less
 * Citus's own connections between its nodes (application_name citus_internal…, citus_run_command…).
 */
async function serverSessions(): Promise<number> {
  const { rows } = await withMaintenanceConnection(base.db, (k) =>
    k.raw<{ rows: { n: string }[] }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ? AND backend_type = ? AND application_name NOT LIKE 'citus%'", [scratch.name, 'client backend']),
  );
  return Number(rows[0]?.n ?? 0);
}

beforeAll(async () => {
  if (!pgbouncerInstalled()) return;
  scratch = await createScratchDatabase('tw_pgbouncer');
  await setSessionLimitsOnRole(base.db, base.db.admin.user, scratch.name);
  bouncer = await startPgBouncer({ serverHost: base.db.host, serverPort: base.db.port, users: [base.db.admin, base.db.server], poolSize: BOUNCER_POOL });
  env = envThroughPgBouncer(
    { ...process.env, DB_NAME_SERVER: scratch.name, DB_POOL_MAX: String(POOL_MAX), TEMPORAL_TASK_QUEUE: `pgbouncer-${randomUUID()}`, LOG_LEVEL: 'warn' },
    bouncer,
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(workers.filter((w) => w.child.exitCode === null).map((w) => w.stop('SIGKILL')));
  await bouncer?.stop();
  await scratch?.drop();
});

describeWithBouncer(`${REPLICAS} worker processes through PgBouncer (transaction pooling)`, () => {
  it('refuses the session limits as startup parameters with a clear error; migrate with them at 0 works, two migrators at once', async () => {
    const refused = await runCli(['migrate', '--check'], { ...env, DB_STATEMENT_TIMEOUT_MS: '30000' });
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain('unsupported startup parameter: statement_timeout');

    const results = await Promise.all([runCli(['migrate', '--json'], env), runCli(['migrate', '--json'], env)]);
    for (const result of results) expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const applied = results.flatMap((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
    expect(new Set(applied).size).toBe(applied.length);
    expect((await runCli(['migrate', '--check'], env)).status).toBe(0);
  }, 120_000);

  it('sessions through PgBouncer carry the role defaults as their limits', async () => {
    const config = loadConfig(env);
    const { rows } = await withSingleConnection(config.db, config.db.database, (k) =>
      k.raw<{ rows: Record<string, string>[] }>("SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle"),
    );
    expect(rows[0]).toEqual({ statement: '30s', lock: '10s', idle: '1min' });
  });

  it('provisions concurrently with no duplicate, concurrent requests for one slug give one tenant, within PgBouncer’s server connections', async () => {
    for (let i = 0; i < REPLICAS; i++) workers.push(await startWorkerProcess(env));
    // Readiness per replica: each one polls and reaches the database through PgBouncer.
    for (const worker of workers) await waitFor(async () => (await fetch(`${worker.baseUrl}/readyz`)).status === 200, `replica ${worker.baseUrl} ready`, 60_000);
    const { client, close } = await connectProvisioningClient(loadConfig(env));
    let peak = 0;
    const sampling = setInterval(() => void serverSessions().then((n) => (peak = Math.max(peak, n)), () => undefined), 100);
    try {
      const requests = Array.from({ length: 12 }, () => tenantRequest());
      // The same request twice at once: one workflow (its id derives from the slug), both callers get its result.
      const twice = requests[0]!;
      const handles = await Promise.all([...requests, twice].map((r) => client.start(r)));
      const results = await Promise.all(handles.map((h) => h.result()));
      expect(results.at(-1)).toEqual(results[0]);
      const slugs = requests.map((r) => results[requests.indexOf(r)]!.slug);
      expect(new Set(slugs).size).toBe(12);

      const config = loadConfig(env);
      const rows = await withSingleConnection(config.db, config.db.database, (k) =>
        k('public.tenants').whereIn('slug', slugs).select<{ slug: string; status: string }[]>('slug', 'status'),
      );
      expect(rows.map((r) => r.slug).sort()).toEqual([...slugs].sort());
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['active']));
    } finally {
      clearInterval(sampling);
      await close();
    }
    process.stderr.write(`[pgbouncer test] peak server backends on the database: ${peak}\n`);
    // REPLICAS x DB_POOL_MAX client connections, at most BOUNCER_POOL server connections (+1: this test's own check through PgBouncer).
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(BOUNCER_POOL + 1);
    for (const worker of workers) {
      const code = await worker.stop();
      if (code !== 0) throw new Error(`a replica exited ${code} on SIGTERM:\n${worker.output().slice(-3000)}`);
    }
  }, 180_000);
});
