import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ProvisioningClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { openTestDatabase } from '../support/test-database';
import { MIGRATIONS } from '../../src/db/migrations';
import { resolveTemporalCli } from '../../src/dev/temporal-cli';
import { dataConverter } from '../../src/temporal/data-converter';
import { harnessLog } from '../support/harness-state';
import { tenantRequest } from '../harness/tenant-requests';
import { runCli } from '../support/run-cli';
import { createScratchDatabase } from '../harness/scratch-database';
import { waitFor } from '../harness/wait-for';
import { startWorkerProcess } from '../harness/worker-process';

interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, string> };
}

async function readiness(baseUrl: string): Promise<Readiness> {
  const response = await fetch(`${baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

describe('readiness follows the Temporal frontend', () => {
  it('turns 503 naming temporal within seconds of the Temporal server dying', async () => {
    // A dev server of this test's own: killing the shared one would take the other test files down with it.
    // (startLocalTemporal's dynamic import does not run inside jest's module sandbox, hence createLocal here.)
    const cli = await resolveTemporalCli(harnessLog);
    const temporal = await TestWorkflowEnvironment.createLocal({ server: { ...(cli ? { executable: { type: 'existing-path', path: cli } } : {}), ip: '127.0.0.1' } });
    let temporalRunning = true;
    const worker = await startWorkerProcess({ ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: `readiness-${randomUUID()}` });
    try {
      await waitFor(async () => (await readiness(worker.baseUrl)).status === 200, 'the worker to be ready');
      temporalRunning = false;
      await temporal.teardown();
      const diedAt = Date.now();
      const unready = await waitFor(async () => {
        const r = await readiness(worker.baseUrl);
        return r.status === 503 && r;
      }, 'readiness to turn 503', 10_000);
      expect(Date.now() - diedAt).toBeLessThan(10_000);
      expect(unready.body.status).toBe('not ready');
      expect(unready.body.checks.temporal).not.toBe('ok');
      expect(unready.body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    } finally {
      await worker.stop('SIGKILL');
      if (temporalRunning) await temporal.teardown();
    }
  }, 90_000);
});

describe('a worker whose database has pending migrations', () => {
  it('does not poll (no activity runs, nothing fails), stays unready, and starts by itself once `migrate` ran', async () => {
    const scratch = await createScratchDatabase('tw_unmigrated');
    const taskQueue = `unmigrated-${randomUUID()}`;
    const env = { ...process.env, DB_NAME_SERVER: scratch.name, TEMPORAL_TASK_QUEUE: taskQueue, MIGRATION_RECHECK_INTERVAL_MS: '500' };
    const config = loadConfig(env);
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const client = new ProvisioningClient(new Client({ connection, dataConverter: dataConverter(config.temporal.payloadKeys) }), taskQueue);
    const worker = await startWorkerProcess(env);
    let database: Database | undefined;
    try {
      const handle = await client.start(tenantRequest());
      // Several re-checks later: a polling worker would have run (and failed) the first step by now.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const history = await handle.fetchHistory();
      const eventTypes = (history.events ?? []).map((event) => proto.api.enums.v1.EventType[event.eventType ?? 0]);
      expect(eventTypes).toEqual(['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED']);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      expect(worker.output()).toContain('pending migration(s) before polling; run: tenant-workflows migrate');

      const waiting = await readiness(worker.baseUrl);
      expect(waiting.status).toBe(503);
      expect(waiting.body.checks).toMatchObject({
        worker: 'waiting for migrations',
        database: 'ok',
        temporal: 'ok',
        migrations: `${MIGRATIONS.length} pending: ${MIGRATIONS.map((m) => m.name).join(', ')}`,
      });
      expect(await (await fetch(`${worker.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });

      const migrated = await runCli(['migrate'], env);
      expect(migrated.status).toBe(0);
      const result = await handle.result();
      database = openTestDatabase(scratch.config);
      expect(await database.admin('tenants').where({ tenant: result.tenantId }).first('status')).toEqual({ status: 'active' });
      expect((await readiness(worker.baseUrl)).status).toBe(200);
    } finally {
      await worker.stop('SIGKILL');
      await connection.close();
      await database?.close();
      await scratch.drop();
    }
  }, 90_000);
});
