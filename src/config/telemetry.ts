import type { EnvReader } from './env-reader';

/**
 * Tracing (OpenTelemetry, OTLP over HTTP), from the standard OTEL_* variables. Undefined (tracing off,
 * no SDK loaded) unless OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
 */
export interface TelemetryConfig {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  tracesUrl: string;
  /** OTEL_SERVICE_NAME, default tenant-workflows. */
  serviceName: string;
}

export const DEFAULT_SERVICE_NAME = 'tenant-workflows';

/** The OTLP/HTTP path of traces under a base endpoint, as the OpenTelemetry specification appends it. */
const TRACES_PATH = 'v1/traces';

function httpUrl(read: EnvReader, name: string): URL | undefined {
  const raw = read.optionalString(name);
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    read.problems.push(`${name}: '${raw}' is not a URL; set the collector's OTLP/HTTP address, for example ${name}=http://otel-collector:4318`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    read.problems.push(`${name}: '${raw}' is not an http(s) URL; tenant-workflows exports OTLP over HTTP (port 4318 on most collectors), not gRPC`);
    return undefined;
  }
  return url;
}

export function readTelemetry(read: EnvReader): TelemetryConfig | undefined {
  // All optional: unset, tracing is off and nothing about it needs stating in a deployment.
  const disabledRaw = read.optionalString('OTEL_SDK_DISABLED');
  if (disabledRaw && disabledRaw !== 'true' && disabledRaw !== 'false') read.problems.push(`OTEL_SDK_DISABLED: '${disabledRaw}' is not valid; set true or false`);
  const disabled = disabledRaw === 'true';
  const protocol = read.optionalString('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? read.optionalString('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol && protocol !== 'http/protobuf' && protocol !== 'http/json') {
    read.problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL: '${protocol}' is not supported; tenant-workflows exports OTLP over HTTP: unset it or set http/protobuf`);
  }
  const traces = httpUrl(read, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = httpUrl(read, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const serviceName = read.optionalString('OTEL_SERVICE_NAME') ?? DEFAULT_SERVICE_NAME;
  if (disabled) return undefined;
  if (traces) return { tracesUrl: traces.href, serviceName };
  if (base) return { tracesUrl: new URL(TRACES_PATH, base.href.endsWith('/') ? base.href : `${base.href}/`).href, serviceName };
  return undefined;
}
