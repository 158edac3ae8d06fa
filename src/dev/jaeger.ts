import { findGoTool, resolveGoTool, type GoTool } from './go-tool';

/** Jaeger (v2, the OpenTelemetry-collector based binary) of the v1.75.0 tag, to look at traces locally. */
export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger/cmd/jaeger@v1.75.0';
const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';

/**
 * Jaeger's go.mod has replace directives, which `go install pkg@version` refuses: it is built from a
 * scratch module that requires it as a tool (Go 1.24+), as the issue describes.
 */
export const JAEGER: GoTool = {
  binary: 'jaeger',
  label: 'Jaeger',
  pathVariable: 'JAEGER_PATH',
  module: JAEGER_MODULE,
  purpose: 'viewing traces locally',
  commands: (outDir) => [
    ['mod', 'init', 'tenant-workflows-jaeger-build'],
    ['get', '-tool', JAEGER_MODULE],
    ['build', '-v', '-o', `${outDir}/jaeger`, JAEGER_PACKAGE],
  ],
};

/** JAEGER_PATH, PATH or the cache; undefined (never a build) when none has it: `npm run jaeger:build` builds it. */
export function findJaeger(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findGoTool(JAEGER, env);
}

/** Jaeger, built into the cache when missing (10+ minutes on two cores). */
export function resolveJaeger(log: (message: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return resolveGoTool(JAEGER, log, env);
}

export interface JaegerPorts {
  /** The OTLP/HTTP receiver (spans go to http://127.0.0.1:<port>/v1/traces). */
  otlpHttp: number;
  /** The UI and its query API (/api/traces?service=...). */
  query: number;
  /** The query service's gRPC port (Jaeger always opens one). */
  queryGrpc: number;
  /** Health check. */
  health: number;
}

/**
 * A Jaeger v2 configuration: in-memory storage, the OTLP/HTTP receiver and the query service/UI on
 * 127.0.0.1 at `ports`, nothing else (no gRPC OTLP, Zipkin or Jaeger-protocol receivers, no sampling
 * server, no Prometheus endpoint).
 */
export function jaegerConfig(ports: JaegerPorts, maxTraces = 10_000): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: ${maxTraces}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlpHttp}
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}
