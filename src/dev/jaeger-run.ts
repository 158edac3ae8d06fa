// `npm run jaeger`: Jaeger with in-memory storage for local viewing: OTLP/HTTP on 4318, UI on 16686
// (JAEGER_OTLP_HTTP_PORT, JAEGER_UI_PORT to change them). Builds it into the tool cache first if needed.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net';
import { jaegerConfig, resolveJaeger } from './jaeger';

async function main(): Promise<void> {
  const jaeger = await resolveJaeger((message) => console.log(message));
  if (!jaeger) throw new Error('no jaeger binary and no Go to build one: install Go 1.24+ or set JAEGER_PATH');
  const ports = {
    otlpHttp: Number(process.env.JAEGER_OTLP_HTTP_PORT ?? 4318),
    query: Number(process.env.JAEGER_UI_PORT ?? 16686),
    queryGrpc: await freePort(),
    health: await freePort(),
  };
  const configFile = join(mkdtempSync(join(tmpdir(), 'tenant-workflows-jaeger-')), 'config.yaml');
  writeFileSync(configFile, jaegerConfig(ports));
  console.log(`Jaeger (in-memory): UI http://localhost:${ports.query}; run the worker with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${ports.otlpHttp}`);
  const child = spawn(jaeger, ['--config', configFile], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code) => (process.exitCode = code ?? 1));
}

main().catch((error: unknown) => {
  console.error(`jaeger: ${(error as Error).message}`);
  process.exitCode = 1;
});
