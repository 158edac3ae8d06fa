import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { requestDigest } from '../../src/client';
import { startCodecServer, type CodecServer } from '../../src/codec-server/server';
import { ConfigError, Secret } from '../../src/config';
import { loadCodecServerConfig, type CodecServerConfig } from '../../src/config/codec-server';
import { REDACTED } from '../../src/contracts/secret-fields';
import { createLogger } from '../../src/logging';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../src/temporal/payload-codec';
import type { TenantCreationInput, TenantCreationResult } from '../../src/contracts/tenant-creation';
import { runCli } from '../support/run-cli';

const TOKEN = randomBytes(32).toString('hex');
const UI_ORIGIN = 'http://localhost:8233';
const keys = [{ id: 'k1', key: new Secret(randomBytes(32).toString('base64')) }];
const codec = new AesGcmPayloadCodec(keys);
const PASSWORD = 'correct-horse-battery-staple';
const TEMPORARY = 'Tmp-9f8e7d6c5b4a';

const input: TenantCreationInput = {
  tenantName: 'Acme Rockets',
  slug: 'acme-rockets',
  contactEmail: 'ops@acme.test',
  admin: { email: 'wile@acme.test', firstName: 'Wile', lastName: 'Coyote', password: PASSWORD },
};
const result: TenantCreationResult = { tenantId: 't-1', slug: 'acme-rockets', adminUserId: 'u-1', adminEmail: 'wile@acme.test', temporaryPassword: TEMPORARY };

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
const toJson = (payloads: Payload[]) => ({ payloads: payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) })) });
const fromJson = (body: { payloads: Array<{ metadata: Record<string, string>; data: string }> }): Payload[] =>
  body.payloads.map((p) => ({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(p.data, 'base64') }));
const values = (payloads: Payload[]) => payloads.map((p) => defaultPayloadConverter.fromPayload(p));
const encrypted = async (...vals: unknown[]) => codec.encode(vals.map((v) => defaultPayloadConverter.toPayload(v)));

const logLines: string[] = [];
let server: CodecServer;

function config(overrides: Partial<CodecServerConfig> = {}): CodecServerConfig {
  return { host: '127.0.0.1', port: 0, authToken: new Secret(TOKEN), corsOrigins: [UI_ORIGIN], maxBodyBytes: 64 * 1024, payloadKeys: keys, logLevel: 'info', ...overrides };
}

function post(path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  server = await startCodecServer(config(), createLogger('info', { write: (line: string) => void logLines.push(line) }));
});
afterAll(() => server.close());

describe('codec server: decode', () => {
  it('decrypts the workflow input, result, activity input and memo, and redacts every secret in them', async () => {
    const payloads = await encrypted(input, result, { tenantId: 't-1', ...input.admin }, requestDigest(input), { tenantId: 't-1', userId: 'u-1', email: 'wile@acme.test', temporaryPassword: TEMPORARY });
    const response = await post('/default/decode', toJson(payloads), { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(Buffer.from(PASSWORD).toString('base64').slice(0, 12));
    const [shownInput, shownResult, activityInput, digest, activityResult] = values(fromJson(JSON.parse(text)));
    expect(shownInput).toEqual({ ...input, admin: { ...input.admin, password: REDACTED } });
    expect(shownResult).toEqual({ ...result, temporaryPassword: REDACTED });
    expect(activityInput).toEqual({ tenantId: 't-1', email: 'wile@acme.test', firstName: 'Wile', lastName: 'Coyote', password: REDACTED });
    expect(digest).toBe(REDACTED);
    expect(activityResult).toEqual({ tenantId: 't-1', userId: 'u-1', email: 'wile@acme.test', temporaryPassword: REDACTED });
    expect(JSON.stringify([shownInput, shownResult, activityInput, activityResult])).not.toMatch(new RegExp(`${PASSWORD}|${TEMPORARY}`));
  });

  it('answers /decode without a namespace too, and leaves a request without a password as it was', async () => {
    const response = await post('/decode', toJson(await encrypted({ tenantName: 'Acme', admin: { email: 'a@acme.test' } }, 'plain text', 42)));
    expect(response.status).toBe(200);
    expect(values(fromJson((await response.json()) as never))).toEqual([{ tenantName: 'Acme', admin: { email: 'a@acme.test' } }, 'plain text', 42]);
  });

  it('redacts a password a client wrote without encryption, and returns a payload no key opens as it came', async () => {
    const plaintext = defaultPayloadConverter.toPayload(input);
    const [foreign] = await new AesGcmPayloadCodec([{ id: 'other', key: new Secret(randomBytes(32).toString('base64')) }]).encode([defaultPayloadConverter.toPayload(input)]);
    const response = await post('/decode', toJson([plaintext, foreign!]));
    expect(response.status).toBe(200);
    const [shown, stillEncrypted] = fromJson((await response.json()) as never);
    expect(defaultPayloadConverter.fromPayload(shown!)).toEqual({ ...input, admin: { ...input.admin, password: REDACTED } });
    expect(Buffer.from(stillEncrypted!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(b64(stillEncrypted!.data)).toBe(b64(foreign!.data));
  });
});

describe('codec server: encode', () => {
  it('encrypts with the first key, so the worker (and decode) can read it back', async () => {
    const response = await post('/default/encode', toJson([defaultPayloadConverter.toPayload({ note: 'from the UI' })]));
    expect(response.status).toBe(200);
    const [out] = fromJson((await response.json()) as never);
    expect(Buffer.from(out!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(out!.data!).toString()).not.toContain('from the UI');
    expect(values(await codec.decode([out!]))).toEqual([{ note: 'from the UI' }]);
  });
});

describe('codec server: authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong token of the same length', { authorization: `Bearer ${'0'.repeat(TOKEN.length)}` }],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, 10)}` }],
    ['the token without the Bearer scheme', { authorization: TOKEN }],
    ['Basic auth', { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }],
  ])('refuses %s with 401 and decodes nothing', async (_what, headers: Record<string, string>) => {
    const response = await post('/decode', toJson(await encrypted(input)), headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const text = await response.text();
    expect(text).toMatch(/bearer token/);
    expect(text).not.toContain('acme');
  });

  it('accepts the scheme in any case', async () => {
    expect((await post('/decode', { payloads: [] }, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('codec server: CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/default/decode`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });

  it("answers the Web UI's preflight with the methods and headers it sends, without asking for the token", async () => {
    const response = await preflight(UI_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')!.split(', ').sort()).toEqual(['authorization', 'content-type', 'x-namespace']);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('refuses another origin: no CORS headers, 403, even with the token', async () => {
    const response = await preflight('https://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const post403 = await post('/decode', toJson(await encrypted(input)), { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' });
    expect(post403.status).toBe(403);
    expect(post403.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the allowed origin read the answer', async () => {
    const response = await post('/decode', { payloads: [] }, { authorization: `Bearer ${TOKEN}`, origin: UI_ORIGIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  });
});

describe('codec server: bad requests', () => {
  it('refuses a body over CODEC_MAX_BODY_BYTES with 413 before decoding any of it', async () => {
    const big = JSON.stringify({ payloads: [{ metadata: {}, data: Buffer.alloc(100 * 1024).toString('base64') }] });
    const response = await post('/decode', big);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/larger than 65536 bytes \(CODEC_MAX_BODY_BYTES\)/);
  });

  it('refuses a chunked body that grows over the limit', async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new Uint8Array(1024).fill(97));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    });
    expect(response.status).toBe(413);
  });

  it.each([
    ['not JSON', '{"payloads": [', /not valid JSON/],
    ['not an object', '[1,2]', /must be a JSON object/],
    ['payloads not an array', '{"payloads": {}}', /"payloads" must be an array/],
    ['data not base64', '{"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "not base64!"}]}', /payloads\[0\]\.data must be a base64 string/],
    ['metadata not base64', '{"payloads": [{"metadata": {"encoding": "json plain"}, "data": ""}]}', /payloads\[0\]\.metadata\.encoding must be a base64 string/],
  ])('answers 400 naming what is wrong: %s', async (_what, body, message) => {
    const response = await post('/decode', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('answers 405 to GET, 404 elsewhere, 415 to another content type, 200 on /healthz without a token', async () => {
    expect((await fetch(`${server.url}/decode`)).status).toBe(405);
    expect((await post('/metrics', {})).status).toBe(404);
    expect((await post('/decode', '{}', { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('codec server: logs', () => {
  it('logs one line per request with its outcome, never a token, a payload or a secret', () => {
    const logged = logLines.join('');
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [TOKEN, PASSWORD, TEMPORARY, 'wile@acme.test', 'Acme Rockets', Buffer.from(PASSWORD).toString('base64')]) expect(logged).not.toContain(secret);
    const decoded = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.endpoint === 'decode' && l.redacted === 5);
    expect(decoded).toMatchObject({ msg: 'codec request', method: 'POST', status: 200, namespace: 'default', payloads: 5 });
  });
});

describe('codec server: configuration', () => {
  const env = { PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, SECRETS_DIR: '/nonexistent' };
  const problems = (e: Record<string, string>, options = {}) => {
    try {
      loadCodecServerConfig({ ...env, ...e }, options);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.join('\n');
      throw error;
    }
    return '';
  };

  it('names each bad setting and how to fix it', () => {
    expect(problems({})).toMatch(/CODEC_AUTH_TOKEN: required.*openssl rand -hex 32/);
    expect(problems({ CODEC_AUTH_TOKEN: 'short' })).toMatch(/at least 32 characters/);
    expect(problems({ CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGINS: '*' })).toMatch(/'\*' is refused/);
    expect(problems({ CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGINS: 'https://ui.example/path' })).toMatch(/is not an origin/);
    expect(problems({}, { noAuth: true })).toMatch(/--no-auth: refused while CODEC_SERVER_HOST is '0.0.0.0'/);
    expect(problems({ CODEC_SERVER_HOST: '127.0.0.1' }, { noAuth: true })).toBe('');
    expect(problems({ CODEC_AUTH_TOKEN: TOKEN, CODEC_CORS_ORIGINS: 'https://ui.example, http://localhost:8233' })).toBe('');
  });

  it('exits 78 without a token, naming the variable and not printing a key', async () => {
    const run = await runCli(['codec-server'], { ...process.env, ...env, CODEC_AUTH_TOKEN: '' });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/CODEC_AUTH_TOKEN: required/);
    expect(run.stderr + run.stdout).not.toContain(env.PAYLOAD_ENCRYPTION_KEYS.slice(3));
  });
});
