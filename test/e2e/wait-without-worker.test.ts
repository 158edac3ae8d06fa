import { randomUUID } from 'node:crypto';
import { connectProvisioningClient } from '../../src/client';
import { loadConfig } from '../../src/config';
import { EXIT } from '../../src/exit-codes';
import { passwordFile } from '../support/password-file';
import { runCli } from '../support/run-cli';

/** `create-tenant --wait` with no worker on the task queue says so instead of waiting in silence. */
const taskQueue = `nobody-polls-${randomUUID()}`;
const env = { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue };

it('names the task queue no worker polls, and stops at --timeout with 75 (the provisioning goes on)', async () => {
  const slug = `unpolled-${randomUUID().slice(0, 8)}`;
  const admin = ['--email', `ops@${slug}.test`, '--first-name', 'Ada', '--last-name', 'Lovelace', '--password-file', passwordFile()];
  const result = await runCli(['create-tenant', '--name', 'Unpolled', '--slug', slug, ...admin, '--wait', '--timeout', '8'], env);
  expect(result.status).toBe(EXIT.TEMP_FAILURE);
  expect(result.stderr).toContain(`no worker polls the task queue '${taskQueue}'`);
  expect(result.stderr).toContain(`did not end within --timeout 8s; it goes on`);

  const { client, close } = await connectProvisioningClient(loadConfig(env));
  try {
    expect((await client.status(slug))?.temporalStatus).toBe('RUNNING');
    await client.handle(slug).terminate('test done');
  } finally {
    await close();
  }
}, 60_000);
