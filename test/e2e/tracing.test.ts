import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { composeApp, type App } from '../../src/app';
import { connectProvisioningClient, type ProvisioningClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logging';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { tenantRequest } from '../harness/tenant-requests';
import { waitFor } from '../harness/wait-for';
import { closeTestDatabase, testDatabase } from '../support/test-database';
import { assertProvisioningTrace, type TreeSpan } from '../support/trace-tree';

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set), its spans kept by the OpenTelemetry SDK's own
 * InMemorySpanExporter in place of the OTLP one: the real client, worker, Temporal server and PostgreSQL.
 */
const exporter = new InMemorySpanExporter();
let config: Config;
let tracing: Tracing;
let app: App;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let provisioning: { client: ProvisioningClient; close: () => Promise<void> };

beforeAll(async () => {
  config = loadConfig({ ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'tenant-workflows-test', TEMPORAL_TASK_QUEUE: `tracing-${randomUUID()}` });
  tracing = startTracing(config.telemetry!, { spanProcessor: new SimpleSpanProcessor(exporter) });
  app = composeApp(config, createLogger(config.logLevel), testDatabase(), tracing);
  connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  worker = await app.createWorker({ connection, namespace: 'default' });
  running = worker.run();
  // The client as the SaaS backend composes it: it shares the process's tracer provider.
  provisioning = await connectProvisioningClient(config);
});

afterAll(async () => {
  await provisioning?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running?.catch(() => undefined);
  await connection?.close();
  await closeTestDatabase();
  await tracing?.shutdown();
});

function treeSpan(span: ReadableSpan): TreeSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentId: span.parentSpanId,
    name: span.name,
    attributes: { ...span.attributes },
    otherText: [
      span.status.message ?? '',
      ...span.events.flatMap((event) => [event.name, JSON.stringify(event.attributes ?? {})]),
      JSON.stringify(span.resource.attributes),
    ],
  };
}

describe('OpenTelemetry traces of a provisioning', () => {
  it('is one trace from client.start through every step to its SQL, with the slug and ids and no email, password or hash', async () => {
    const request = tenantRequest();
    const handle = await provisioning.client.start(request);
    const result = await handle.result();
    // Workflow spans leave the sandbox through the exporter sink after the workflow task completes.
    await waitFor(
      () => Promise.resolve(exporter.getFinishedSpans().some((span) => span.name === 'RunWorkflow:tenantCreationWorkflow')),
      'the workflow span from the exporter sink',
      15_000,
    );
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans().map(treeSpan);

    const { sqlSpans } = assertProvisioningTrace(spans, {
      slug: result.slug,
      tenantId: result.tenantId,
      adminUserId: result.adminUserId,
      secrets: [request.admin.email, request.admin.password!],
    });
    expect(sqlSpans).toBeGreaterThanOrEqual(4);
    expect(spans.every((span) => !JSON.stringify(span).includes(request.admin.email))).toBe(true);
  });
});
