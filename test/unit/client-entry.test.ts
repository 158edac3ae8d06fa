import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../harness/repository-files';
import { runTypeScript } from '../support/run-cli';

/**
 * Native or database modules a SaaS backend using only the client must not load; nor the OpenTelemetry
 * SDK, exporter or Temporal interceptors while tracing is off (the @opentelemetry/api facade is allowed).
 */
const FORBIDDEN =
  /[\\/]node_modules[\\/](bcrypt|pg|pg-pool|knex|@temporalio[\\/]worker|@temporalio[\\/]core-bridge|@temporalio[\\/]interceptors-opentelemetry|@opentelemetry[\\/](?!api[\\/])[^\\/]+)[\\/]/;

describe("the package's client entry", () => {
  it('is src/client.ts, compiled', () => {
    const pkg = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
    expect(pkg.main).toBe('dist/client.js');
    expect(pkg.types).toBe('dist/client.d.ts');
  });

  it('loads no native module, database driver or worker when required', async () => {
    const probe = await runTypeScript('test/support/scripts/client-entry-modules.ts', []);
    expect(probe.stderr).toBe('');
    const loaded = JSON.parse(probe.stdout) as string[];
    expect(loaded.some((file) => /[\\/]src[\\/]client\.ts$/.test(file))).toBe(true);
    expect(loaded.filter((file) => FORBIDDEN.test(file))).toEqual([]);
  });
});
