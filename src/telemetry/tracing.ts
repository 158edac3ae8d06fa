import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from '../config';

/**
 * The process's OpenTelemetry tracing, started only when tracing is configured: the SDK, the OTLP
 * exporter and the Temporal interceptors are loaded here, on first start, and nowhere else, so a
 * process without OTEL_EXPORTER_OTLP_*ENDPOINT never loads them.
 */
export interface Tracing {
  readonly resource: Resource;
  /** Where every span of the process goes (the workflow sandbox's too, through the exporter sink). */
  readonly spanProcessor: SpanProcessor;
  /** A Client's interceptors: StartWorkflow spans whose context travels to the workflow in its headers. */
  clientInterceptors(): ClientInterceptors;
  /** A Worker's interceptors (activities, and the workflow modules when it bundles) and the workflow span sink. */
  workerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what has ended so far. */
  forceFlush(): Promise<void>;
  /** Exports what is left and unregisters the global tracer provider; later calls wait for the same shutdown. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Replaces the batching OTLP exporter (tests give the SDK's InMemorySpanExporter in a SimpleSpanProcessor). */
  spanProcessor?: SpanProcessor;
}

/** The process's one provider, and how many started handles still use it. */
let current: { tracing: Tracing; users: number } | undefined;

/**
 * Registers the global tracer provider (async-hooks context, W3C trace-context propagation) exporting
 * over OTLP/HTTP to config.tracesUrl. One per process: a second call (a client in the worker's process)
 * shares the running one, and the provider shuts down when the last of them does.
 */
export function startTracing(config: TelemetryConfig, options: TracingOptions = {}): Tracing {
  current ??= { tracing: createTracing(config, options), users: 0 };
  current.users += 1;
  const shared = current;
  let released: Promise<void> | undefined;
  return {
    ...shared.tracing,
    shutdown: () =>
      (released ??= (async () => {
        shared.users -= 1;
        if (shared.users === 0) await shared.tracing.shutdown();
        else await shared.tracing.forceFlush();
      })()),
  };
}

function createTracing(config: TelemetryConfig, options: TracingOptions): Tracing {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first start only: a process without tracing never loads the SDK */
  const { trace, context, propagation } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { Resource, detectResourcesSync, envDetectorSync } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const interceptors = require('./temporal-interceptors') as typeof import('./temporal-interceptors');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // OTEL_RESOURCE_ATTRIBUTES first, then the service name from our config (OTEL_SERVICE_NAME or its default).
  const resource = Resource.default()
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }))
    .merge(new Resource({ 'service.name': config.serviceName }));
  // The exporter reads OTEL_EXPORTER_OTLP_*HEADERS, _TIMEOUT and _COMPRESSION itself; the URL is ours.
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter({ url: config.tracesUrl }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  let shutdown: Promise<void> | undefined;
  return {
    resource,
    spanProcessor,
    clientInterceptors: () => interceptors.clientInterceptors(),
    workerOptions: () => interceptors.workerOptions(spanProcessor, resource),
    forceFlush: () => provider.forceFlush(),
    shutdown: () =>
      (shutdown ??= provider.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
        current = undefined;
      })),
  };
}

/** Starts tracing when the config asks for it; undefined (and nothing loaded) otherwise. */
export function startConfiguredTracing(config: TelemetryConfig | undefined): Tracing | undefined {
  return config ? startTracing(config) : undefined;
}
