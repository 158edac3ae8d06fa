import { randomUUID } from 'node:crypto';
import { connectProvisioningClient, type ProvisioningClient } from '../../src/client';
import { loadConfig, type Config } from '../../src/config';
import { findJaeger } from '../../src/dev/jaeger';
import { startConfiguredTracing, type Tracing } from '../../src/telemetry/tracing';
import { tenantRequest } from '../harness/tenant-requests';
import { startWorkerProcess } from '../harness/worker-process';
import { jaegerSpans, startJaeger, type JaegerProcess } from '../support/jaeger-process';
import { assertProvisioningTrace, waitForProvisioningTrace } from '../support/trace-tree';
import { startTracedWorker, type TracedWorker } from '../support/traced-worker';

/**
 * The shipped exporter (OTLP over HTTP, from OTEL_EXPORTER_OTLP_ENDPOINT) into a real Jaeger, and the
 * trace read back from Jaeger's query API. Building Jaeger takes 10+ minutes, so this runs only where a
 * binary is at hand (JAEGER_PATH, PATH or the tool cache); tracing.test.ts asserts the same tree always.
 */
const jaegerBinary = findJaeger();
if (!jaegerBinary) {
  console.log('skipping the Jaeger trace test: no jaeger binary (JAEGER_PATH, PATH or ~/.cache/tenant-workflows/bin); build it once with `npm run jaeger:build`');
}
const describeWithJaeger = jaegerBinary ? describe : describe.skip;

describeWithJaeger('OpenTelemetry traces in a real Jaeger', () => {
  const service = `tenant-workflows-test-${randomUUID().slice(0, 8)}`;
  let jaeger: JaegerProcess;
  let config: Config;
  let tracing: Tracing | undefined;
  let traced: TracedWorker | undefined;

  beforeAll(async () => {
    jaeger = await startJaeger(jaegerBinary!);
    config = loadConfig({ ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_SERVICE_NAME: service, TEMPORAL_TASK_QUEUE: `tracing-${randomUUID()}` });
    // What the worker process does: the batching OTLP/HTTP exporter of the configuration.
    tracing = startConfiguredTracing(config.telemetry);
    traced = await startTracedWorker(config, tracing);
  }, 120_000);

  afterAll(async () => {
    if (traced) await traced.stop();
    else await tracing?.shutdown();
    await jaeger?.stop();
  });

  it('holds one trace per provisioning, from client.start through every step to its SQL, and no secret', async () => {
    expect(tracing).toBeDefined();
    const request = tenantRequest();
    const handle = await traced!.client.start(request);
    const result = await handle.result();
    const expected = { slug: result.slug, tenantId: result.tenantId, adminUserId: result.adminUserId, secrets: [request.admin.email, request.admin.password!] };

    // Spans arrive in batches (the workflow's after its task completes): flush and read back until the tree is whole.
    const spans = await waitForProvisioningTrace(
      async () => {
        await tracing!.forceFlush();
        return jaegerSpans(jaeger.queryUrl, service);
      },
      expected,
      'the whole trace in Jaeger',
      30_000,
      () => jaeger.output(),
    );
    const { traceId, sqlSpans } = assertProvisioningTrace(spans, expected);
    expect(sqlSpans).toBeGreaterThanOrEqual(4);
    // One trace: every span of this provisioning's workflow is in the client's trace.
    expect(spans.filter((span) => span.attributes.temporalWorkflowId === handle.workflowId).every((span) => span.traceId === traceId)).toBe(true);
    console.log(`Jaeger trace ${traceId}: ${spans.filter((span) => span.traceId === traceId).length} spans (${sqlSpans} SQL) for ${result.slug}`);
  });

  it('the worker process (tenant-workflows worker) exports its spans when it stops: the tracer provider is flushed on shutdown', async () => {
    const workerService = `${service}-process`;
    const taskQueue = `tracing-process-${randomUUID()}`;
    // A batch delay of an hour: the worker's spans can reach Jaeger only through the flush at shutdown.
    const worker = await startWorkerProcess({
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_SERVICE_NAME: workerService,
      OTEL_BSP_SCHEDULE_DELAY: '3600000',
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    let client: { client: ProvisioningClient; close: () => Promise<void> } | undefined;
    try {
      expect(worker.output()).toContain('tracing on: exporting spans over OTLP/HTTP');
      client = await connectProvisioningClient({ ...config, temporal: { ...config.temporal, taskQueue } });
      const request = tenantRequest();
      const result = await (await client.client.start(request)).result();
      await tracing!.forceFlush();
      const before = await jaegerSpans(jaeger.queryUrl, workerService);
      expect(before.filter((span) => span.name.startsWith('RunActivity:'))).toEqual([]);

      expect(await worker.stop('SIGTERM')).toBe(0);
      const expected = { slug: result.slug, tenantId: result.tenantId, adminUserId: result.adminUserId, secrets: [request.admin.email, request.admin.password!] };
      await waitForProvisioningTrace(
        () => jaegerSpans(jaeger.queryUrl, workerService),
        expected,
        "the worker process's spans in Jaeger after its shutdown",
        20_000,
        () => worker.output(),
      );
    } finally {
      await client?.close();
      if (worker.child.exitCode === null) await worker.stop('SIGKILL');
    }
  }, 120_000);
});
