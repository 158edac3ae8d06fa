import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jaegerConfig } from '../../src/dev/jaeger';
import { freePort } from '../../src/net';
import { waitFor } from '../harness/wait-for';
import type { TreeSpan } from './trace-tree';

export interface JaegerProcess {
  /** Base OTLP/HTTP endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  otlpEndpoint: string;
  queryUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** A real Jaeger (v2, in-memory storage) on free ports of 127.0.0.1, until stop(). */
export async function startJaeger(binary: string): Promise<JaegerProcess> {
  const ports = { otlpHttp: await freePort(), query: await freePort(), queryGrpc: await freePort(), health: await freePort() };
  const dir = mkdtempSync(join(tmpdir(), 'tw-jaeger-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, jaegerConfig(ports));
  const child = spawn(binary, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  await waitFor(async () => child.exitCode === null && (await fetch(`${queryUrl}/api/services`)).ok, `Jaeger's query API on ${queryUrl}`, 60_000).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlpHttp}`,
    queryUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; spanID: string }>;
  tags?: Array<{ key: string; value: unknown }>;
  logs?: Array<{ fields?: Array<{ key: string; value: unknown }> }>;
  warnings?: string[] | null;
  processID: string;
}

interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags?: Array<{ key: string; value: unknown }> }>;
}

/** Every span of `service` Jaeger's query API returns, in the tests' shape (a span's tags are its attributes). */
export async function jaegerSpans(queryUrl: string, service: string): Promise<TreeSpan[]> {
  const response = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=100&lookback=1h`);
  if (!response.ok) throw new Error(`Jaeger query API: HTTP ${response.status}`);
  const { data } = (await response.json()) as { data: JaegerTrace[] | null };
  return (data ?? []).flatMap((trace) =>
    trace.spans.map((span) => ({
      traceId: span.traceID,
      spanId: span.spanID,
      parentId: span.references?.find((reference) => reference.refType === 'CHILD_OF')?.spanID,
      name: span.operationName,
      attributes: Object.fromEntries((span.tags ?? []).map((tag) => [tag.key, tag.value])),
      otherText: [
        JSON.stringify(span.logs ?? []),
        JSON.stringify(span.warnings ?? []),
        JSON.stringify(trace.processes[span.processID] ?? {}),
      ],
    })),
  );
}
