import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { configProblemsOf } from '../support/config-problems';
import { identifierAttributes } from '../../src/telemetry/span-attributes';
import { sanitizeStatement } from '../../src/telemetry/sql-spans';
import { scramSha256Verifier } from '../../src/db/scram-verifier';
import { runTypeScript } from '../support/run-cli';

const base = { SECRETS_DIR: mkdtempSync(join(tmpdir(), 'tw-no-secrets-')) };
const telemetryOf = (env: Record<string, string>) => loadConfig({ ...base, ...env }).telemetry;

const problemsOf = (env: Record<string, string>) => configProblemsOf({ ...base, ...env });

describe('tracing configuration (standard OTEL_* variables, through loadConfig)', () => {
  it('is off unless an OTLP endpoint is set', () => {
    expect(telemetryOf({})).toBeUndefined();
    expect(telemetryOf({ OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, and takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given', () => {
    expect(telemetryOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' })).toEqual({ tracesUrl: 'http://otel-collector:4318/v1/traces', serviceName: 'tenant-workflows' });
    expect(telemetryOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp/' })?.tracesUrl).toBe('https://gw.example/otlp/v1/traces');
    expect(telemetryOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom', OTEL_SERVICE_NAME: 'provisioning' })).toEqual({
      tracesUrl: 'http://b:4318/custom',
      serviceName: 'provisioning',
    });
  });

  it('is off with OTEL_SDK_DISABLED=true', () => {
    expect(telemetryOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });

  it('refuses a malformed endpoint, a non-HTTP one and the gRPC protocol, one line each naming the variable', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318:x' })).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318:x' is not (a URL|an http\(s\) URL)/),
    ]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toEqual([
      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' is not a URL; set the collector's OTLP/HTTP address, for example OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://otel-collector:4318",
    ]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toEqual([expect.stringContaining('not an http(s) URL')]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' is not supported/)]);
  });
});

describe('what a span may carry', () => {
  it("strips every literal from statement text: the server role's SCRAM verifier never reaches a trace", () => {
    const verifier = scramSha256Verifier('correct horse battery staple');
    const statement = sanitizeStatement(`CREATE ROLE "app" LOGIN PASSWORD '${verifier}'`);
    expect(statement).toBe(`CREATE ROLE "app" LOGIN PASSWORD '?'`);
    expect(sanitizeStatement("select 'it''s', E'\\x', $tag$ secret $tag$, $$ x $$ from t where a = $1 and b = $2")).toBe("select '?', '?', '?', '?' from t where a = $1 and b = $2");
    expect(sanitizeStatement('insert into "users" ("email", "password_hash") values ($1, $2)')).toBe('insert into "users" ("email", "password_hash") values ($1, $2)');
  });

  it('takes identifiers only from step attributes: never an email, a hash or a flag', () => {
    expect(identifierAttributes({ slug: 'acme', tenantId: 't1', userId: 'u1', email: 'a@b.test', passwordHash: '$2b$10$x', created: true })).toEqual({
      'tenant.slug': 'acme',
      'tenant.id': 't1',
      'user.id': 'u1',
    });
  });
});

it('a worker without OTEL_* loads no OpenTelemetry SDK, exporter or Temporal interceptors (off at no cost)', async () => {
  const probe = await runTypeScript('test/support/scripts/worker-entry-modules.ts', []);
  expect(probe.stderr).toBe('');
  const loaded = JSON.parse(probe.stdout) as string[];
  expect(loaded.some((file) => /[\\/]src[\\/]worker\.ts$/.test(file))).toBe(true);
  expect(loaded.filter((file) => /[\\/]node_modules[\\/](@temporalio[\\/]interceptors-opentelemetry|@opentelemetry[\\/](?!api[\\/])[^\\/]+)[\\/]/.test(file))).toEqual([]);
});
