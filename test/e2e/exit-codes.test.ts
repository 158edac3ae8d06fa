import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/exit-codes';
import { freePort } from '../../src/net';
import { readRepositoryFile } from '../harness/repository-files';
import { runCli } from '../support/run-cli';

/**
 * The README's exit-code table is the contract: every code the CLI uses is in it, and each command's
 * documented case exits with its code, naming the cause (and with --json, as one JSON object on stdout).
 */
function readmeExitCodes(): Map<number, string> {
  const readme = readRepositoryFile('README.md');
  const section = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('## The worker in production'));
  const rows = new Map<number, string>();
  for (const line of section.split('\n')) {
    const match = /^\| ([\d, ]+) \|(.*)\|$/.exec(line);
    if (match) for (const code of match[1]!.split(',')) rows.set(Number(code.trim()), match[2]!);
  }
  return rows;
}

const table = readmeExitCodes();
const ADMIN = ['--email', 'ops@codes.test', '--first-name', 'Ada', '--last-name', 'Lovelace'];
const withoutKeys: NodeJS.ProcessEnv = { ...process.env, PAYLOAD_ENCRYPTION_KEYS: '', SECRETS_DIR: mkdtempSync(join(tmpdir(), 'tw-no-secrets-')) };
/** What dev mode starts itself: no DB_* or TEMPORAL_ADDRESS of the test harness. */
const devEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DB_|TEMPORAL_|SECRETS_DIR)/.test(name)));

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busyPort = await freePort();
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
});

async function expectExit(args: string[], env: NodeJS.ProcessEnv, code: number, options: { cwd?: string; timeoutMs?: number } = {}) {
  const result = await runCli(args, env, options);
  expect({ args, status: result.status, stderr: result.stderr }).toEqual({ args, status: code, stderr: expect.any(String) });
  // The README's row for that code names this command's case.
  expect(table.get(code)).toContain(args[0] === 'no-such-command' ? 'unknown command' : args[0]);
  return result;
}

it('lists in the README exactly the codes src/exit-codes.ts defines (and the signal codes)', () => {
  expect([...table.keys()].sort((a, b) => a - b)).toEqual([...Object.values(EXIT), 130, 143].sort((a, b) => a - b));
});

// Each case starts several CLI processes (ts-node, from source) at once: on two busy cores that takes a while.
jest.setTimeout(150_000);

describe('every command exits with the code of its documented case', () => {
  it('64: unknown command or option, a refused combination', async () => {
    const [generated] = await Promise.all([
      expectExit(['create-tenant', '--name', 'Acme', ...ADMIN], process.env, EXIT.USAGE),
      expectExit(['no-such-command'], process.env, EXIT.USAGE),
      expectExit(['migrate', '--down', '--step', '1'], process.env, EXIT.USAGE),
      expectExit(['status', '--no-such-option'], process.env, EXIT.USAGE),
      expectExit(['worker', '--no-such-option'], process.env, EXIT.USAGE),
      expectExit(['cleanup'], process.env, EXIT.USAGE),
      expectExit(['suspend', 'acme'], process.env, EXIT.USAGE),
      expectExit(['reactivate'], process.env, EXIT.USAGE),
      expectExit(['dev', '--db-port', 'abc'], devEnv, EXIT.USAGE),
    ]);
    expect(generated.stderr).toContain('temporary password is generated, and it is shown only by --wait');
  });

  it('65: invalid input, also as JSON on stdout with --json', async () => {
    const [status, , reason] = await Promise.all([
      expectExit(['status', 'Not A Slug!', '--json'], process.env, EXIT.DATA_ERROR),
      expectExit(['create-tenant', '--name', 'Acme', ...ADMIN.slice(0, 1), 'nope', ...ADMIN.slice(2), '--wait'], process.env, EXIT.DATA_ERROR),
      expectExit(['suspend', 'acme', '--reason', '  ', '--json'], process.env, EXIT.DATA_ERROR),
      expectExit(['reactivate', 'Not A Slug!'], process.env, EXIT.DATA_ERROR),
    ]);
    expect(JSON.parse(reason.stdout)).toEqual({ error: { type: 'InvalidInput', message: expect.any(String), field: 'reason' } });
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toEqual({ error: { type: 'InvalidInput', message: expect.any(String), field: 'slug' } });
  });

  it('69: Temporal unreachable, naming its address and how to get one', async () => {
    const address = `127.0.0.1:${busyPort + 1}`;
    const result = await expectExit(['status', 'acme'], { ...process.env, TEMPORAL_ADDRESS: address }, EXIT.UNAVAILABLE, { timeoutMs: 60_000 });
    expect(result.stderr).toContain(`cannot reach Temporal at ${address}`);
    expect(result.stderr).toContain('npm run dev');
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
  }, 60_000);

  it('75: dev with a busy port asked for, or a data directory another dev process owns', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-dev-'));
    const owned = mkdtempSync(join(tmpdir(), 'tw-dev-'));
    // A live process (this test's) holds the directory's lock.
    writeFileSync(join(owned, 'dev.pid'), `${process.pid}\n`);
    const [port, second] = await Promise.all([
      expectExit(['dev', '--data-dir', dataDir, '--db-port', String(busyPort)], devEnv, EXIT.TEMP_FAILURE),
      expectExit(['dev', '--data-dir', owned], devEnv, EXIT.TEMP_FAILURE),
    ]);
    expect(port.stderr).toContain(`port ${busyPort} (PostgreSQL, --db-port) is in use`);
    expect(second.stderr).toContain(`another tenant-workflows dev (pid ${process.pid}) is running with ${owned}`);
  });

  it('codec-server and doctor: 64 on a bad option, 75 on a port in use, 78 without a token, 1 when a check fails', async () => {
    const token = { CODEC_AUTH_TOKEN: 'a'.repeat(40) };
    const [busyCodec, noToken] = await Promise.all([
      expectExit(['codec-server', '--host', '127.0.0.1', '--port', String(busyPort)], { ...process.env, ...token }, EXIT.TEMP_FAILURE),
      expectExit(['codec-server'], { ...process.env, CODEC_AUTH_TOKEN: '' }, EXIT.CONFIG),
      expectExit(['doctor', '--json'], { ...process.env, DB_POOL_MAX: 'many' }, EXIT.FAILURE),
      expectExit(['doctor', '--replicas', 'lots'], process.env, EXIT.USAGE),
      expectExit(['codec-server', '--no-such-option'], process.env, EXIT.USAGE),
    ]);
    expect(busyCodec.stderr).toContain(`CODEC_SERVER_PORT ${busyPort} is already in use`);
    expect(noToken.stderr).toContain('CODEC_AUTH_TOKEN: required');
  }, 90_000);

  it('78: PAYLOAD_ENCRYPTION_KEYS missing, for the worker and every client command, pointing at dev mode’s key', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'tw-checkout-'));
    mkdirSync(join(checkout, '.data', 'secrets'), { recursive: true });
    writeFileSync(join(checkout, '.data', 'secrets', 'payload_encryption_keys'), 'dev:x\n');
    const [create, worker] = await Promise.all([
      expectExit(['create-tenant', '--name', 'Acme', ...ADMIN, '--wait', '--json'], withoutKeys, EXIT.CONFIG, { cwd: checkout }),
      expectExit(['worker'], { ...withoutKeys, HTTP_PORT: String(await freePort()) }, EXIT.CONFIG),
      expectExit(['status', 'acme'], withoutKeys, EXIT.CONFIG),
      expectExit(['cleanup', '--list'], withoutKeys, EXIT.CONFIG),
      expectExit(['suspend', 'acme', '--reason', 'unpaid'], withoutKeys, EXIT.CONFIG),
      expectExit(['reactivate', 'acme'], withoutKeys, EXIT.CONFIG),
    ]);
    expect(worker.stderr).toContain('PAYLOAD_ENCRYPTION_KEYS: required by the worker');
    expect(create.stderr).toBe('');
    expect(JSON.parse(create.stdout)).toEqual({ error: { type: 'ConfigError', message: expect.stringContaining('export SECRETS_DIR=.data/secrets') } });
  });
});
