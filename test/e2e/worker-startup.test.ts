import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { EXIT } from '../../src/exit-codes';
import { freePort } from '../../src/net';
import { createScratchDatabase } from '../harness/scratch-database';
import { asPidOne, runWorkerProcess, type WorkerRun } from '../support/worker-run';

/**
 * Every way `tenant-workflows worker` can fail to start, run as an operator meets it: the real CLI, one
 * line on stderr naming the cause and the fix, a documented exit code, and the process gone soon after.
 */

/**
 * Once it has said why, the process is gone within this. Measured from its failure line, not from the
 * spawn: ts-node compiling the CLI on a loaded 2-core machine alone can take longer than that.
 */
const GONE_AFTER_FAILURE_MS = 5_000;
/** A worker that hangs on a failure instead of exiting is killed here (and the test fails). */
const HANG_LIMIT_MS = 45_000;
const baseEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LOG_LEVEL: 'info', STARTUP_DEPENDENCY_WAIT_MS: '1000' });

async function envWithPort(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  return { ...baseEnv(), HTTP_PORT: String(await freePort()), ...overrides };
}

/** Runs the worker until it exits on its own; returns its exit code and its stderr lines. */
async function failedStart(env: NodeJS.ProcessEnv): Promise<{ code: number | null; lines: string[]; run: WorkerRun }> {
  const run = runWorkerProcess(env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), HANG_LIMIT_MS);
  const { code, at } = await run.exited;
  clearTimeout(timer);
  const saidWhyAt = run.firstStderrAt() ?? Number.NEGATIVE_INFINITY;
  expect({ goneSoonAfterSayingWhy: at - saidWhyAt < GONE_AFTER_FAILURE_MS, stderr: run.stderr() }).toMatchObject({ goneSoonAfterSayingWhy: true });
  return { code, lines: run.stderr().trim().split('\n').filter(Boolean), run };
}

describe('a worker that cannot start says why, exits with a documented code, and is gone', () => {
  it(`the health port in use: exit ${EXIT.TEMP_FAILURE}, naming HTTP_PORT`, async () => {
    const holder: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, '0.0.0.0', resolve));
    try {
      const { code, lines } = await failedStart(await envWithPort({ HTTP_PORT: String(port) }));
      expect(lines).toEqual([`tenant-workflows worker: HTTP_PORT ${port} is already in use by another process: stop that process, or set HTTP_PORT to a free port`]);
      expect(code).toBe(EXIT.TEMP_FAILURE);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it(`the Temporal frontend unreachable: exit ${EXIT.UNAVAILABLE}, naming the address`, async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { code, lines } = await failedStart(await envWithPort({ TEMPORAL_ADDRESS: address }));
    expect(lines).toEqual([`tenant-workflows worker: the Temporal frontend at ${address} is unreachable (Connection refused) after 1 s: start it, or fix TEMPORAL_ADDRESS`]);
    expect(code).toBe(EXIT.UNAVAILABLE);
  });

  it(`the namespace missing: exit ${EXIT.CONFIG}, naming it and how to create it`, async () => {
    const { code, lines } = await failedStart(await envWithPort({ TEMPORAL_NAMESPACE: 'no-such-namespace' }));
    expect(lines).toEqual([
      `tenant-workflows worker: the Temporal namespace 'no-such-namespace' does not exist at ${process.env.TEMPORAL_ADDRESS}: create it (temporal operator namespace create --namespace no-such-namespace) or fix TEMPORAL_NAMESPACE`,
    ]);
    expect(code).toBe(EXIT.CONFIG);
  });

  it(`PostgreSQL unreachable: exit ${EXIT.UNAVAILABLE}, naming the server`, async () => {
    const port = await freePort();
    const { code, lines } = await failedStart(await envWithPort({ DB_HOST: '127.0.0.1', DB_PORT: String(port) }));
    expect(lines).toEqual([`tenant-workflows worker: PostgreSQL at 127.0.0.1:${port} is unreachable (ECONNREFUSED) after 1 s: start it, or fix DB_HOST and DB_PORT`]);
    expect(code).toBe(EXIT.UNAVAILABLE);
  });

  it(`PostgreSQL refusing the role: exit ${EXIT.NO_PERMISSION}, naming the role and the variables`, async () => {
    const { code, lines } = await failedStart(await envWithPort({ DB_USER_ADMIN: 'no_such_role', DB_PASSWORD_ADMIN: 'wrong' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^tenant-workflows worker: PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT ?? 5432} refused role 'no_such_role' \\(.+\\): check DB_USER_ADMIN and DB_PASSWORD_ADMIN$`),
    );
    expect(code).toBe(EXIT.NO_PERMISSION);
  });

  it(`payload keys missing or malformed: exit ${EXIT.CONFIG}, like every configuration error`, async () => {
    const missing = await failedStart(await envWithPort({ PAYLOAD_ENCRYPTION_KEYS: '' }));
    expect(missing.lines).toEqual([
      'configuration error: PAYLOAD_ENCRYPTION_KEYS: required by the worker, workflow payloads carry passwords; generate a key with: echo "k1:$(openssl rand -base64 32)"',
    ]);
    expect(missing.code).toBe(EXIT.CONFIG);
    const malformed = await failedStart(await envWithPort({ PAYLOAD_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }));
    expect(malformed.lines).toEqual([
      'configuration error: PAYLOAD_ENCRYPTION_KEYS: entry 1 is not a unique \'id:key\' with a base64 key of 32 bytes; generate one with: echo "k1:$(openssl rand -base64 32)"',
    ]);
    expect(malformed.code).toBe(EXIT.CONFIG);
  });

  it(`the workflow bundle missing in production (NODE_ENV=production): exit ${EXIT.SOFTWARE}, instead of bundling at start-up`, async () => {
    const { code, lines } = await failedStart(await envWithPort({ NODE_ENV: 'production' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tenant-workflows worker: the workflow bundle \S+\/workflow-bundle\.js is missing: build it with 'npm run build'/);
    expect(code).toBe(EXIT.SOFTWARE);
  });
});

describe('a stop signal during start-up', () => {
  /** A worker still retrying an unreachable Temporal frontend, as one starting before its server would. */
  async function connectingWorker(prefix: string[] = []): Promise<WorkerRun> {
    const env = await envWithPort({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, STARTUP_DEPENDENCY_WAIT_MS: '60000' });
    const run = runWorkerProcess(env, { prefix });
    await run.waitForOutput('the Temporal frontend is unreachable; retrying');
    return run;
  }

  async function stopAndExpectGone(run: WorkerRun, pid: number, signal: NodeJS.Signals, code: number, withinMs = 3000): Promise<void> {
    const sentAt = Date.now();
    process.kill(pid, signal);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), withinMs + 5000);
    const exited = await run.exited;
    clearTimeout(timer);
    expect({ code: exited.code, promptly: exited.at - sentAt < withinMs, stderr: run.stderr().trim() }).toEqual({
      code,
      promptly: true,
      stderr: `tenant-workflows worker: stopped by ${signal} during start-up`,
    });
  }

  it('SIGTERM while it is still connecting: exits 143 at once', async () => {
    const run = await connectingWorker();
    await stopAndExpectGone(run, run.child.pid!, 'SIGTERM', 143);
  });

  it('SIGINT while it is still connecting: exits 130 at once', async () => {
    const run = await connectingWorker();
    await stopAndExpectGone(run, run.child.pid!, 'SIGINT', 130);
  });

  it('SIGTERM while it waits for pending migrations: exits 143 at once, closing the Temporal connection', async () => {
    const scratch = await createScratchDatabase('tw_unmigrated');
    try {
      const run = runWorkerProcess(await envWithPort({ DB_NAME_SERVER: scratch.name, MIGRATION_RECHECK_INTERVAL_MS: '500' }));
      await run.waitForOutput('pending migration(s) before polling');
      await stopAndExpectGone(run, run.child.pid!, 'SIGTERM', 143);
    } finally {
      await scratch.drop();
    }
  });

  it('SIGTERM while the Worker is being created: released before its connection closes, exits 143', async () => {
    const run = runWorkerProcess(await envWithPort({ TEMPORAL_TASK_QUEUE: `startup-${Date.now()}` }));
    await run.waitForOutput('creating the Temporal worker');
    // Worker.create (loading the bundle into its sandbox, the native worker) is not interruptible.
    await stopAndExpectGone(run, run.child.pid!, 'SIGTERM', 143, 8000);
    expect(run.stdout()).not.toContain('could not close');
  });

  const pidOne = asPidOne();
  (pidOne ? it : it.skip)('SIGTERM to the worker running as PID 1 (a container entrypoint), which has no default handlers: exits 143 at once', async () => {
    const run = await connectingWorker(pidOne);
    try {
      // The worker is unshare's child: its pid here, 1 in its own namespace.
      await stopAndExpectGone(run, findChild(run.child.pid!), 'SIGTERM', 143);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

function findChild(parent: number): number {
  const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).map(Number);
  if (children.length !== 1 || !children[0]) throw new Error(`expected one child of ${parent}, found '${children.join(' ')}'`);
  return children[0];
}
