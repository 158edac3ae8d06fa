import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { closeTestDatabase } from '../support/test-database';
import { rollbackTenantInDB } from '../../src/db/tenant-operations';
import { startCodecServerProcess, type CodecServerProcess } from '../support/codec-server-process';
import { tenantRequest } from '../harness/tenant-requests';
import { provisioningHarness, type ProvisioningHarness } from '../support/provisioning-worker';
import { runTemporalCli } from '../support/temporal-cli';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = randomBytes(32).toString('hex');
let h: ProvisioningHarness;
let codec: CodecServerProcess;
const tenants: string[] = [];

beforeAll(async () => {
  h = await provisioningHarness();
  await h.startWorker();
  // The token from a mounted secret file, as in the cluster.
  const secrets = mkdtempSync(join(tmpdir(), 'codec-secrets-'));
  writeFileSync(join(secrets, 'codec_auth_token'), `${TOKEN}\n`);
  codec = await startCodecServerProcess({ ...process.env, SECRETS_DIR: secrets, CODEC_AUTH_TOKEN: '' });
}, 120_000);

afterAll(async () => {
  await codec?.stop();
  for (const tenantId of tenants) await rollbackTenantInDB(h.knex, tenantId, { force: true });
  await h?.close();
  await closeTestDatabase();
});

const show = (workflowId: string, codecArgs: string[]) => runTemporalCli(['workflow', 'show', '--workflow-id', workflowId, '--detailed', ...codecArgs]);

describe('temporal workflow show through the codec server', () => {
  it('shows the tenant name and admin email of a real provisioning, and no password', async () => {
    const request = tenantRequest();
    const handle = await h.client.start(request);
    tenants.push((await handle.result()).tenantId);
    const shown = await show(handle.workflowId, ['--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`]);
    expect({ status: shown.status, stderr: shown.stderr }).toEqual({ status: 0, stderr: '' });
    expect(shown.stdout).toContain('input[0].admin.password: [REDACTED]');
    expect(shown.stdout).toContain(request.tenantName);
    expect(shown.stdout).toContain(request.admin.email);
    expect(shown.stdout).toContain('[REDACTED]');
    expect(shown.stdout).not.toContain(request.admin.password);
    // Without the codec server the same history is ciphertext only.
    const raw = await show(handle.workflowId, []);
    expect(raw.stdout).not.toContain(request.admin.email);
    // describe decodes the memo: the request digest (a hash over the password) is redacted too.
    const described = await runTemporalCli(['workflow', 'describe', '--workflow-id', handle.workflowId, '--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`]);
    expect(described.status).toBe(0);
    expect(described.stdout).toMatch(/Memo +map\[requestDigest:.*\[REDACTED\]/);
    if (process.env.CODEC_TRANSCRIPT) writeFileSync(process.env.CODEC_TRANSCRIPT, `${shown.stdout}\n${described.stdout}`);
  });

  it('shows a generated temporary password as [REDACTED] in the result', async () => {
    const request = tenantRequest();
    delete request.admin.password;
    const handle = await h.client.start(request);
    const result = await handle.result();
    tenants.push(result.tenantId);
    expect(result.temporaryPassword).toBeDefined();
    // As the temporal CLI 1.5 sends it: a literal {namespace} in the endpoint.
    const shown = await show(handle.workflowId, ['--codec-endpoint', `${codec.url}/{namespace}`, '--codec-auth', `Bearer ${TOKEN}`]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain(result.adminUserId);
    expect(shown.stdout).toContain('[REDACTED]');
    expect(shown.stdout).not.toContain(result.temporaryPassword);
  });

  it('is refused without the token, or with a wrong one: nothing decoded', async () => {
    const request = tenantRequest();
    const handle = await h.client.start(request);
    tenants.push((await handle.result()).tenantId);
    for (const auth of [[], ['--codec-auth', `Bearer ${'f'.repeat(64)}`]]) {
      const refused = await show(handle.workflowId, ['--codec-endpoint', codec.url, ...auth]);
      // The CLI retries the refused request until its deadline, then fails without showing the 401 itself.
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/displaying history failed/);
      expect(refused.stdout + refused.stderr).not.toContain(request.admin.email);
    }
  });

  it('logged each request without the token, a password or an email', () => {
    const logged = codec.output();
    expect(logged).toMatch(/"msg":"codec request"/);
    expect(logged).toMatch(/"endpoint":"decode".*"status":401/);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toMatch(/@acme\.test|correct horse/);
  });
});
