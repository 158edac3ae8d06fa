import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { Secret } from '../../src/config';
import { REDACTED } from '../../src/contracts/secret-fields';
import { freePort } from '../../src/net';
import { AesGcmPayloadCodec } from '../../src/temporal/payload-codec';
import { createScratchDatabase, type ScratchDatabase } from '../harness/scratch-database';
import { CLI_FROM_SOURCE } from '../harness/worker-process';
import { waitFor } from '../harness/wait-for';
import { passwordFile } from '../support/password-file';
import { runCli } from '../support/run-cli';

/**
 * `tenant-workflows dev` wires its local Temporal UI to a codec server (`start-dev --ui-codec-endpoint`):
 * the UI's own settings name it, and it answers the UI's origin with decrypted, redacted payloads.
 */
let scratch: ScratchDatabase;
let dev: ChildProcess;
let output = '';
let devEnv: NodeJS.ProcessEnv = {};
const dataDir = mkdtempSync(join(tmpdir(), 'tw-dev-codec-'));
const ports = { temporal: 0, ui: 0, codec: 0, http: 0 };

beforeAll(async () => {
  scratch = await createScratchDatabase('tw_dev_codec');
  for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
  // Our PostgreSQL (DB_* of the harness), but dev's own Temporal: no TEMPORAL_ADDRESS.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TEMPORAL_ADDRESS|SECRETS_DIR|HTTP_PORT|PAYLOAD_ENCRYPTION_KEYS)$/.test(name)));
  const [executable = '', ...args] = CLI_FROM_SOURCE.argv;
  dev = spawn(
    executable,
    [...args, 'dev', '--data-dir', dataDir, '--temporal-port', String(ports.temporal), '--ui-port', String(ports.ui), '--codec-port', String(ports.codec), '--http-port', String(ports.http)],
    { cwd: CLI_FROM_SOURCE.cwd, env: { ...env, DB_NAME_SERVER: scratch.name }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  devEnv = { ...env, DB_NAME_SERVER: scratch.name, SECRETS_DIR: join(dataDir, 'secrets'), TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}` };
  dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => Promise.resolve(dev.exitCode === null && output.includes('tenant-workflows dev is running')), 'tenant-workflows dev', 150_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
}, 180_000);

afterAll(async () => {
  if (dev?.exitCode === null) {
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    await exited;
  }
  await scratch?.drop();
}, 60_000);

describe('npm run dev: the local Temporal UI decodes through a redacting codec server', () => {
  const codecUrl = () => `http://127.0.0.1:${ports.codec}`;
  const uiOrigin = () => `http://localhost:${ports.ui}`;

  it('names the codec server in its banner and in the UI settings', async () => {
    expect(output).toContain(`Codec        ${codecUrl()} (the UI decodes through it; passwords redacted)`);
    const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    expect(settings.Codec?.Endpoint).toBe(codecUrl());
  });

  it("answers the UI's origin with the decoded payload, the password redacted, and refuses other origins", async () => {
    const [id = '', key = ''] = readFileSync(join(dataDir, 'secrets', 'payload_encryption_keys'), 'utf8').trim().split(':');
    const codec = new AesGcmPayloadCodec([{ id, key: new Secret(key) }]);
    const input = { tenantName: 'Dev Co', slug: 'dev-co', admin: { email: 'ada@dev.test', firstName: 'Ada', lastName: 'L', password: 'dev-secret-password' } };
    const [payload] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const body = JSON.stringify({ payloads: [{ metadata: { encoding: Buffer.from(payload!.metadata!.encoding!).toString('base64'), 'encryption-key-id': Buffer.from(id).toString('base64') }, data: Buffer.from(payload!.data!).toString('base64') }] });
    const preflight = await fetch(`${codecUrl()}/decode`, { method: 'OPTIONS', headers: { origin: uiOrigin(), 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    expect(preflight.status).toBe(204);
    const response = await fetch(`${codecUrl()}/decode`, { method: 'POST', headers: { origin: uiOrigin(), 'content-type': 'application/json', 'x-namespace': 'default' }, body });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(uiOrigin());
    const [decoded] = ((await response.json()) as { payloads: Array<{ data: string }> }).payloads;
    expect(JSON.parse(Buffer.from(decoded!.data, 'base64').toString())).toEqual({ ...input, admin: { ...input.admin, password: REDACTED } });
    const foreign = await fetch(`${codecUrl()}/decode`, { method: 'POST', headers: { origin: 'http://evil.test', 'content-type': 'application/json' }, body });
    expect(foreign.status).toBe(403);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
  (chromium ? it : it.skip)('shows the decoded input, without the password, in the UI a headless Chromium renders (apt-get install chromium)', async () => {
    const password = `chromium-secret-${Date.now()}`;
    const started = await runCli(
      ['create-tenant', '--name', 'Chromium Visible Co', '--email', 'ada@chromium.test', '--first-name', 'Ada', '--last-name', 'Lovelace', '--password-file', passwordFile(password), '--json'],
      devEnv,
    );
    expect({ status: started.status, stderr: started.stderr }).toEqual({ status: 0, stderr: '' });
    const { workflowId, runId } = JSON.parse(started.stdout) as { workflowId: string; runId: string };
    const page = `http://localhost:${ports.ui}/namespaces/default/workflows/${workflowId}/${runId}/history`;
    const browse = (args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(chromium!, ['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1400,1800', '--virtual-time-budget=20000', ...args, page], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
          error ? reject(new Error(error.message)) : resolve(stdout),
        ),
      );
    const dom = await waitFor(async () => {
      const html = await browse(['--dump-dom']);
      return html.includes('Chromium Visible Co') ? html : undefined;
    }, 'the decoded input in the rendered UI', 120_000);
    expect(dom).toContain('ada@chromium.test');
    expect(dom).toContain('[REDACTED]');
    expect(dom).not.toContain(password);
    const screenshot = join(dataDir, 'workflow-history.png');
    await browse([`--screenshot=${screenshot}`]);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    if (process.env.CODEC_SCREENSHOT) copyFileSync(screenshot, process.env.CODEC_SCREENSHOT);
  }, 240_000);
});
