import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { APPLICATION_NAME, withSingleConnection } from '../../src/db/admin';
import { passwordFile } from '../support/password-file';
import { runCli } from '../support/run-cli';
import { useWorkerProcess } from '../harness/worker-process';
import { waitFor } from '../harness/wait-for';

/** A step stuck on a lock must not keep the worker alive past its grace period: lock_timeout ends the wait. */
const GRACE_MS = 2000;
/** How long the lock is held at most: far past the grace period, so only the timeouts can let the worker go sooner. */
const HOLD_MS = 25_000;
const env = { ...process.env, TEMPORAL_TASK_QUEUE: `shutdown-${randomUUID()}`, SHUTDOWN_GRACE_MS: String(GRACE_MS), DB_LOCK_TIMEOUT_MS: '1000', LOG_LEVEL: 'info' };
const config = loadConfig(env);
const worker = useWorkerProcess(env);

it('stops within its grace period on SIGTERM while a step waits for a lock another session holds', async () => {
  const exit = await withSingleConnection(config.db, config.db.database, (other) =>
    other.transaction(async (trx) => {
      await trx.raw('LOCK TABLE tenants IN EXCLUSIVE MODE');
      const slug = `blocked-${randomUUID().slice(0, 8)}`;
      const started = await runCli(['create-tenant', '--name', `Blocked ${slug}`, '--slug', slug, '--email', `admin@${slug}.example`, '--first-name', 'Ada', '--last-name', 'Lovelace', '--password-file', passwordFile()], env);
      expect(started.status).toBe(0);
      await waitFor(async () => {
        await trx.raw('SELECT pg_stat_clear_snapshot()'); // a transaction sees one snapshot of pg_stat_activity otherwise
        const waiting = await trx('pg_stat_activity').where({ application_name: APPLICATION_NAME, wait_event_type: 'Lock' }).whereRaw('datname = current_database()').first('pid');
        return waiting !== undefined;
      }, 'the createTenant step waiting for the lock');

      const signalledAt = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([worker.stop('SIGTERM'), new Promise<string>((resolve) => (timer = setTimeout(resolve, HOLD_MS, 'still running')))]);
      clearTimeout(timer);
      return { code, afterMs: Date.now() - signalledAt };
    }),
  );
  expect(exit.code).toBe(0);
  expect(exit.afterMs).toBeLessThan(GRACE_MS + 5000);
}, 120_000);
