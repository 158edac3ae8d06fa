import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../harness/wait-for';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process';

/**
 * The worker's output is what a log pipeline ingests: every line one JSON object, SDK and Rust core
 * lines included, every error with its message, type and stack, and no task token or password.
 * The worker reaches Temporal through a proxy, so the test can make the server "die" under it.
 */
const taskQueue = `worker-logs-${randomUUID()}`;
const adminPassword = `Log-Secret-${randomUUID()}`;
let proxy: TcpProxy;
let worker: WorkerProcess;

const clientEnv = { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue };

beforeAll(async () => {
  proxy = await startTcpProxy(process.env.TEMPORAL_ADDRESS!);
  worker = await startWorkerProcess({ ...clientEnv, TEMPORAL_ADDRESS: proxy.address, LOG_LEVEL: 'info' });
}, 90_000);
afterAll(async () => {
  if (worker.child.exitCode === null) await worker.stop('SIGKILL');
  await proxy.cut();
});

type LogLine = Record<string, unknown>;

function outputLines(): string[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function parsedLines(): LogLine[] {
  return outputLines().map((line) => JSON.parse(line) as LogLine);
}

describe('the worker process log', () => {
  it('logs an SDK failure with its error serialized: message, type and stack', async () => {
    const slug = `logs-${randomUUID().slice(0, 8)}`;
    const directory = mkdtempSync(join(tmpdir(), 'tw-logs-'));
    const passwordFile = join(directory, 'password');
    writeFileSync(passwordFile, adminPassword);
    const admin = ['--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--password-file', passwordFile, '--wait'];
    try {
      expect((await runCli(['create-tenant', '--name', 'Logs A', '--slug', `${slug}-a`, ...admin], clientEnv)).status).toBe(0);
      // The same admin email in another tenant: createTenant refuses it for good (the SDK logs 'Activity failed').
      expect((await runCli(['create-tenant', '--name', 'Logs B', '--slug', `${slug}-b`, ...admin], clientEnv)).status).toBe(65);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }

    const failed = await waitFor(() => Promise.resolve(parsedLines().find((l) => l.msg === 'Activity failed' && l.activityType === 'createTenant')), "the SDK's 'Activity failed' line");
    expect(failed.error).toEqual({
      name: 'ApplicationFailure',
      type: 'EmailAlreadyInUse',
      message: expect.stringContaining('already used') as string,
      stack: expect.stringContaining('ApplicationFailure') as string,
    });
    // The workflow's own failure, its causes included (the activity's failure, then the application's).
    // (The SDK holds log lines for 100 ms to sort them, so the line may reach stdout after the CLI returned.)
    const workflowFailed = await waitFor(
      () => Promise.resolve(parsedLines().find((l) => l.msg === 'Workflow failed' && l.workflowId === `tenant-${slug}-b`)),
      "the SDK's 'Workflow failed' line",
    );
    expect(workflowFailed.error).toMatchObject({
      message: expect.stringContaining('failed at createTenant') as string,
      stack: expect.any(String) as string,
      cause: { message: 'Activity task failed', cause: { message: expect.stringContaining('already used') as string } },
    });
  });

  it('forwards the Rust core’s warnings as JSON lines when the server dies under the worker', async () => {
    await proxy.cut();
    const coreWarning = await waitFor(() => Promise.resolve(parsedLines().find((l) => l.sdkComponent === 'core' && l.level === 'warn')), 'a core warning', 45_000);
    expect(coreWarning).toMatchObject({ service: 'tenant-workflows', msg: expect.any(String) as string });
  }, 60_000);

  it('has only JSON lines, no ANSI escapes, no task token, no password, and a message in every error', () => {
    const output = worker.output();
    expect(output).not.toContain('\u001b[');
    expect(output).not.toContain('taskToken');
    expect(output).not.toContain(adminPassword);
    const lines = parsedLines();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      for (const key of ['error', 'err', 'failure']) {
        const value = line[key];
        if (value === undefined) continue;
        const message = typeof value === 'string' ? value : (value as { message?: unknown }).message;
        expect({ line, message: typeof message === 'string' && message.length > 0 }).toEqual({ line, message: true });
      }
    }
  });
});
