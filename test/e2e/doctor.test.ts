import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectProvisioningClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import { closeTestDatabase } from '../support/test-database';
import type { CheckResult } from '../../src/doctor/checks';
import { freePort } from '../../src/net';
import { MIGRATIONS } from '../../src/db/migrations';
import { createMigratedScratchDatabase } from '../support/migrated-scratch-database';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { runCli } from '../support/run-cli';
import { tenantRequest } from '../harness/tenant-requests';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process';

interface DoctorReport {
  status: 'pass' | 'warn' | 'fail';
  checks: CheckResult[];
  config: Array<{ name: string; value?: string; source: string; file?: string }>;
}

const taskQueue = `doctor-${randomUUID()}`;
let migrated: ScratchDatabase;
let unmigrated: ScratchDatabase;
let worker: WorkerProcess;
let env: NodeJS.ProcessEnv;

async function doctor(args: string[], overrides: NodeJS.ProcessEnv = {}) {
  const run = await runCli(['doctor', ...args], { ...env, ...overrides }, { timeoutMs: 120_000 });
  return { ...run, report: args.includes('--json') ? (JSON.parse(run.stdout) as DoctorReport) : undefined };
}
const statusOf = (report: DoctorReport | undefined) => Object.fromEntries((report?.checks ?? []).map((c) => [c.id, c.status]));
const check = (report: DoctorReport | undefined, id: string) => report!.checks.find((c) => c.id === id)!;

beforeAll(async () => {
  ({ scratch: migrated } = await createMigratedScratchDatabase('tw_doctor'));
  await closeTestDatabase();
  unmigrated = await createScratchDatabase('tw_doctor_new');
  // DB_PASSWORD_ADMIN from a secret file, as in the cluster: doctor names the file and never prints the value.
  const secrets = mkdtempSync(join(tmpdir(), 'doctor-secrets-'));
  writeFileSync(join(secrets, 'db_password_admin'), process.env.DB_PASSWORD_ADMIN || `unused-${randomBytes(4).toString('hex')}`);
  env = { ...process.env, DB_NAME_SERVER: migrated.name, TEMPORAL_TASK_QUEUE: taskQueue, SECRETS_DIR: secrets };
  worker = await startWorkerProcess(env);
  // One real provisioning, so the payload-key check decrypts a real workflow input.
  const { client, close } = await connectProvisioningClient(loadConfig(env));
  try {
    await (await client.start(tenantRequest())).result();
  } finally {
    await close();
  }
}, 180_000);

afterAll(async () => {
  if (worker?.child.exitCode === null) await worker.stop('SIGKILL');
  await migrated?.drop();
  await unmigrated?.drop();
});

describe('tenant-workflows doctor', () => {
  it('on a healthy set-up: every check passes, --strict exits 0, the JSON names each check', async () => {
    const { status, report, stderr } = await doctor(['--json', '--strict', '--replicas', '2']);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(report!.status).toBe('pass');
    expect(statusOf(report)).toEqual({
      config: 'pass',
      postgres: 'pass',
      privileges: 'pass',
      'connection-budget': 'pass',
      migrations: 'pass',
      'stuck-runs': 'pass',
      temporal: 'pass',
      namespace: 'pass',
      'task-queue': 'pass',
      'payload-keys': 'pass',
      'stuck-tenants': 'pass',
    });
    expect(check(report, 'task-queue').summary).toMatch(new RegExp(`task queue ${taskQueue}: [1-9]\\d* poller`));
    expect(check(report, 'payload-keys').summary).toMatch(/they decrypt the input of tenant-acme-/);
    expect(check(report, 'connection-budget').details).toMatchObject({ replicas: 2, replicasFrom: '--replicas', budget: 3 * 10 });
    const password = report!.config.find((e) => e.name === 'DB_PASSWORD_ADMIN');
    expect(password).toEqual({ name: 'DB_PASSWORD_ADMIN', value: '[REDACTED]', source: 'secret file', file: join(env.SECRETS_DIR!, 'db_password_admin') });
    expect(report!.config.find((e) => e.name === 'DB_NAME_SERVER')).toEqual({ name: 'DB_NAME_SERVER', value: migrated.name, source: 'env' });
    expect(report!.config.find((e) => e.name === 'DB_POOL_MAX')).toEqual({ name: 'DB_POOL_MAX', value: '10', source: 'default' });
  });

  it('prints text with one line per check, and never a secret', async () => {
    const { status, stdout } = await doctor(['--replicas', '2']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/✓ migrations +up to date/);
    expect(stdout).toMatch(/DB_PASSWORD_ADMIN +\[REDACTED\] +secret file /);
    expect(stdout).toMatch(/doctor: pass \(11 passed, 0 warned, 0 failed, 0 skipped\)/);
    // A password equal to a name doctor prints anyway (the stock 'postgres' of a local server, the role's name)
    // cannot be told apart in the output; the harness's own servers get a random one, so CI checks it.
    const printedNames = new Set(['postgres', env.DB_USER_ADMIN]);
    const secrets = [env.PAYLOAD_ENCRYPTION_KEYS!.split(':')[1]!, process.env.DB_PASSWORD_ADMIN].filter((s): s is string => Boolean(s) && !printedNames.has(s));
    for (const secret of secrets) {
      expect(stdout).not.toContain(secret);
    }
  });

  it('on a broken set-up (migrations pending, Temporal down, pool over budget): each fails with its fix, exit 1', async () => {
    const temporalDown = `127.0.0.1:${await freePort()}`;
    const { status, report } = await doctor(['--json', '--replicas', '12'], { DB_NAME_SERVER: unmigrated.name, TEMPORAL_ADDRESS: temporalDown });
    expect(status).toBe(1);
    expect(report!.status).toBe('fail');
    expect(statusOf(report)).toEqual({
      config: 'pass',
      postgres: 'pass',
      privileges: 'pass',
      'connection-budget': 'fail',
      migrations: 'fail',
      'stuck-runs': 'skip',
      temporal: 'fail',
      namespace: 'skip',
      'task-queue': 'skip',
      'payload-keys': 'skip',
      'stuck-tenants': 'skip',
    });
    expect(check(report, 'migrations')).toMatchObject({ summary: expect.stringMatching(new RegExp(`^${MIGRATIONS.length} pending: 20261121000001_create_tenants, `)), fix: expect.stringContaining('tenant-workflows migrate') });
    expect(check(report, 'temporal')).toMatchObject({ summary: expect.stringContaining(`cannot reach Temporal at ${temporalDown}`), fix: expect.stringContaining('TEMPORAL_ADDRESS') });
    expect(check(report, 'connection-budget')).toMatchObject({ summary: expect.stringMatching(/^over budget: 12 replica\(s\) \(--replicas\) x DB_POOL_MAX 10 \+ 10 \(migration Job\) = 130 of \d+ connections/), fix: expect.stringContaining('lower DB_POOL_MAX') });
  });

  it('warns (exit 0, or 1 with --strict) when no worker polls the task queue', async () => {
    const idle = { TEMPORAL_TASK_QUEUE: `nobody-polls-${randomUUID()}` };
    const relaxed = await doctor(['--json', '--replicas', '2'], idle);
    expect(relaxed.status).toBe(0);
    expect(relaxed.report!.status).toBe('warn');
    expect(check(relaxed.report, 'task-queue')).toMatchObject({ status: 'warn', summary: expect.stringContaining('0 poller(s)'), fix: expect.stringContaining('TEMPORAL_TASK_QUEUE=nobody-polls-') });
    const strict = await doctor(['--json', '--strict', '--replicas', '2'], idle);
    expect(strict.status).toBe(1);
  });

  it('fails the payload keys when they do not decrypt the latest provisioning, naming the missing key id', async () => {
    const { status, report } = await doctor(['--json', '--replicas', '2'], { PAYLOAD_ENCRYPTION_KEYS: `other:${randomBytes(32).toString('base64')}` });
    expect(status).toBe(1);
    expect(check(report, 'payload-keys')).toMatchObject({ status: 'fail', summary: expect.stringMatching(/cannot decrypt the input of tenant-acme-\S+ \(key '\S+'; configured: other\)/) });
  });

  it('reports an invalid configuration as one failed check (exit 1), and a bad option as a usage error (64)', async () => {
    const invalid = await doctor(['--json'], { DB_POOL_MAX: 'many' });
    expect(invalid.status).toBe(1);
    expect(invalid.report!.checks).toEqual([expect.objectContaining({ id: 'config', status: 'fail', summary: expect.stringContaining("DB_POOL_MAX: 'many' is not valid") })]);
    expect((await doctor(['--replicas', 'lots'])).status).toBe(64);
  });
});
