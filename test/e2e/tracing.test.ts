import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import { tenantRequest } from '../harness/tenant-requests';
import { waitFor } from '../harness/wait-for';
import { assertProvisioningTrace, type TreeSpan } from '../support/trace-tree';
import { startTracedWorker, type TracedWorker } from '../support/traced-worker';

/**
 * Tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set), its spans kept by the OpenTelemetry SDK's own
 * InMemorySpanExporter in place of the OTLP one: the real client, worker, Temporal server and PostgreSQL.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let traced: TracedWorker;

beforeAll(async () => {
  const config = loadConfig({ ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SERVICE_NAME: 'tenant-workflows-test', TEMPORAL_TASK_QUEUE: `tracing-${randomUUID()}` });
  tracing = startTracing(config.telemetry!, { spanProcessor: new SimpleSpanProcessor(exporter) });
  traced = await startTracedWorker(config, tracing);
});

afterAll(async () => {
  if (traced) await traced.stop();
  else await tracing?.shutdown();
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
    const handle = await traced.client.start(request);
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
