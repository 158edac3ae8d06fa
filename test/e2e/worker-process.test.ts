import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { MIGRATIONS } from '../../src/db/migrations';
import { runCli } from '../support/run-cli';
import { createScratchDatabase } from '../harness/scratch-database';
import { startWorkerProcess, useWorkerProcess } from '../harness/worker-process';
import { waitFor } from '../harness/wait-for';

const taskQueue = `worker-process-${randomUUID()}`;
const env = { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' };
const worker = useWorkerProcess(env);

/** Provisions a tenant of the calling test's own through the CLI, so no test depends on another's. */
async function provisionOne(): Promise<string> {
  const slug = `cli-${randomUUID().slice(0, 8)}`;
  const created = await runCli(['create-tenant', '--name', 'CLI Tenant', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait', '--json'], env);
  expect(created.status).toBe(0);
  return slug;
}

describe('tenant-workflows worker (a real process)', () => {
  it('answers /healthz and, with the database migrated and the worker polling, /readyz', async () => {
    expect(await (await fetch(`${worker.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await waitFor(async () => {
      const response = await fetch(`${worker.baseUrl}/readyz`);
      return response.status === 200 && (await response.json());
    }, 'readiness');
    expect(ready).toEqual({ status: 'ready', checks: { worker: 'ok', temporal: 'ok', database: 'ok', migrations: 'ok' } });
  });

  it('provisions through the CLI: create-tenant --wait --json, then status', async () => {
    const slug = `cli-${randomUUID().slice(0, 8)}`;
    const created = await runCli(['create-tenant', '--name', 'CLI Tenant', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const result = JSON.parse(created.stdout.trim()) as Record<string, unknown>;
    expect(result).toMatchObject({ status: 'completed', slug, workflowId: `tenant-${slug}`, adminEmail: `ops@${slug}.test`, temporaryPassword: expect.any(String) });

    const status = await runCli(['status', slug, '--json'], env);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      found: true,
      workflowId: `tenant-${slug}`,
      temporal: { temporalStatus: 'COMPLETED', state: { status: 'completed', progress: 100 } },
      runs: [{ status: 'completed', slug, details: { steps: { createTenant: { attempt: 1 }, activateTenant: { attempt: 1 } } } }],
    });
    const text = await runCli(['status', slug], env);
    expect(text.stdout).toContain(`tenant-${slug}: COMPLETED`);
    expect(text.stdout).toMatch(/run records:\n\s+run \S+: completed/);
    expect(text.stdout).toMatch(/createAdminUser\s+attempt 1, \d+ ms, ok/);

    const again = await runCli(['create-tenant', '--name', 'CLI Tenant', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait'], env);
    expect(again.status).toBe(73);
    expect(again.stderr).toContain(`tenant '${slug}' was already provisioned`);
    // With --json the same outcome is one JSON object on stdout, nothing on stderr, the same exit code.
    const againJson = await runCli(['create-tenant', '--name', 'CLI Tenant', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait', '--json'], env);
    expect(againJson).toMatchObject({ status: 73, stderr: '' });
    expect(JSON.parse(againJson.stdout)).toEqual({ error: { type: 'TenantAlreadyExists', message: expect.stringContaining('already provisioned') } });
  });

  it('shows the steps as they complete and the failure message when provisioning fails', async () => {
    const slug = `cli-${randomUUID().slice(0, 8)}`;
    const first = await runCli(['create-tenant', '--name', 'First', '--slug', `${slug}-a`, '--email', `dup-${slug}@x.test`, '--first-name', 'A', '--last-name', 'B', '--wait'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/✓ createTenant\n\s+✓ setupTenantData\n\s+✓ createAdminUser\n\s+✓ activateTenant/);
    // A step that fails for good is marked, and the failure's type sets the exit code (EmailAlreadyInUse: 65).
    const fail = await runCli(['create-tenant', '--name', 'Second', '--slug', `${slug}-b`, '--email', `dup-${slug}@x.test`, '--first-name', 'A', '--last-name', 'B', '--wait'], env);
    expect(fail.status).toBe(65);
    expect(fail.stdout).toMatch(/✗ \w+: EmailAlreadyInUse/);
    expect(fail.stderr).toContain(`provisioning tenant-${slug}-b failed: provisioning of '${slug}-b' failed at createTenant: the admin email is already used by a user of another tenant; compensated`);
    const status = await runCli(['status', `${slug}-b`], env);
    const stepLines = status.stdout.split('\n').filter((line) => /^\s+[✓✗] \w+\s+attempt/.test(line));
    // In the order they ran: the failed step (marked) before the compensations that undid what came before it.
    expect(stepLines.findIndex((line) => line.includes('✗'))).toBeLessThan(stepLines.findIndex((line) => line.includes('rollbackTenant')));
    expect(status.stdout).toMatch(/failed:\s+\w+/);
  });

  it('rejects bad input with exit 65 and starts nothing', async () => {
    const result = await runCli(['create-tenant', '--name', 'X Corp', '--email', 'not-an-email', '--first-name', 'A', '--last-name', 'B', '--wait'], env);
    expect(result.status).toBe(65);
    expect(result.stderr.trim()).toBe('invalid input: email is not a valid email address');
    expect((await runCli(['status', 'x-corp'], env)).status).toBe(1);
    const json = await runCli(['create-tenant', '--name', 'X Corp', '--email', 'not-an-email', '--first-name', 'A', '--last-name', 'B', '--wait', '--json'], env);
    expect(json).toMatchObject({ status: 65, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ error: { type: 'InvalidInput', message: 'email is not a valid email address', field: 'email' } });
    const missing = await runCli(['status', 'x-corp', '--json'], env);
    expect(missing).toMatchObject({ status: 1, stderr: '' });
    expect(JSON.parse(missing.stdout)).toEqual({ error: { type: 'NotFound', message: expect.stringContaining("no provisioning found for slug 'x-corp'") } });
  });

  it('exposes Prometheus metrics: the Runtime’s and ours', async () => {
    await provisionOne();
    const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^temporal_/m);
    expect(metrics).toMatch(/^tenant_provisionings_started_total\{.*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_provisionings_succeeded_total\{.*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_provisioning_step_duration_seconds_count\{.*step="createAdminUser".*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_workflows_db_pool_in_use\{?.*\}? \d/m);
    // Its share of the connection budget, from its configuration (DB_POOL_MAX), and the server's limit.
    const poolMax = loadConfig(env).db.pool.max;
    expect(metrics).toMatch(new RegExp(`^tenant_workflows_db_connection_share(\\{.*\\})? ${poolMax}$`, 'm'));
    expect(metrics).toMatch(/^tenant_workflows_db_server_connections_available(\{.*\})? [1-9]\d*$/m);
    expect(worker.output()).toMatch(new RegExp(`"msg":"connection budget: this replica opens at most ${poolMax} of the server's \\d+ connections`));
    // Every connection the pool opened was checked for a writable primary (src/db/writable-primary.ts).
    expect(metrics).toMatch(/^tenant_workflows_db_connection_checks_total\{.*result="writable".*\} [1-9]/m);
    // Prometheus's conventions: counters end in _total, durations are in seconds (so no bucket of ms).
    expect(metrics).not.toMatch(/^tenant_provisionings_[a-z]+(?<!_total)\{/m);
    expect(metrics).toMatch(/^tenant_provisioning_step_duration_seconds_bucket\{.*le="0\.\d+"/m);
    expect((await fetch(`${worker.baseUrl}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('exposes the offboarding metrics: started, ended by outcome, rows by phase, step durations', async () => {
    const slug = await provisionOne();
    const deleted = await runCli(['delete-tenant', slug, '--grace', '0s', '--wait', '--json'], env);
    expect(deleted).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(deleted.stdout)).toMatchObject({ outcome: 'deleted', slug });
    const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^tenant_offboardings_started_total\{.*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_offboardings_ended_total\{.*outcome="deleted".*\} [1-9]/m);
    // A provisioned tenant has its seed rows and its admin: some were archived, then all deleted.
    expect(metrics).toMatch(/^tenant_offboarding_rows_total\{.*phase="exported".*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_offboarding_rows_total\{.*phase="deleted".*\} [1-9]/m);
    expect(metrics).toMatch(/^tenant_lifecycle_step_duration_seconds_count\{(?=[^}]*outcome="ok")(?=[^}]*step="deleteTenantData")[^}]*\} 1$/m);
    expect(metrics).toMatch(/^tenant_lifecycle_step_duration_seconds_bucket\{.*le="3600(\.0)?".*\} /m);
  });

  it('logs JSON lines with workflow and activity ids, and never a password or hash', async () => {
    const slug = await provisionOne();
    const lines = worker.output().trim().split('\n').filter((l) => l.startsWith('{'));
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const stepLog = entries.find((e) => e.msg === 'createAdminUser done' && e.workflowId === `tenant-${slug}`);
    expect(stepLog).toMatchObject({ workflowId: `tenant-${slug}`, activityId: expect.any(String), step: 'createAdminUser' });
    expect(worker.output()).not.toContain('$2b$');
    expect(worker.output()).not.toMatch(/temporaryPassword"\s*:\s*"/);
  });

  it('stops on SIGTERM with exit code 0 after draining', async () => {
    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });
});

describe('readiness with pending migrations', () => {
  it('answers /readyz with 503 naming the pending migrations', async () => {
    const scratch = await createScratchDatabase();
    const unmigrated = await startWorkerProcess({ ...env, DB_NAME_SERVER: scratch.name, TEMPORAL_TASK_QUEUE: `unmigrated-${randomUUID()}` });
    try {
      const response = await fetch(`${unmigrated.baseUrl}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.migrations).toBe(`${MIGRATIONS.length} pending: ${MIGRATIONS.map((m) => m.name).join(', ')}`);
    } finally {
      await unmigrated.stop();
      await scratch.drop();
    }
  }, 90_000);
});
