import { DefaultLogger, Runtime, type LogLevel as TemporalLogLevel, type LogMetadata } from '@temporalio/worker';
import type { LogLevel } from '../config';
import { METRIC, STEP_DURATION_BUCKETS_SECONDS, LIFECYCLE_STEP_DURATION_BUCKETS_SECONDS } from '../contracts/metric-names';
import type { Logger } from '../logging';

const TEMPORAL_LEVEL: Record<LogLevel, TemporalLogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
const PINO_LEVEL: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK's metadata of a log entry, less the activity's task token: a bearer credential that
 * completes, fails or heartbeats the activity for whoever holds it.
 */
function logFields(meta: LogMetadata | undefined): LogMetadata {
  const fields = { ...meta };
  delete fields.taskToken;
  return fields;
}

/**
 * Installs the process's Temporal Runtime once: SDK, Rust core and activity/workflow logs (with their
 * workflow and activity ids) go to our JSON logger, and the Runtime's metrics, ours included, are
 * exported in Prometheus format on `metricsBindAddress` (served to scrapers through our /metrics).
 */
export function installRuntime(logger: Logger, level: LogLevel, metricsBindAddress: string): Runtime {
  const temporalLogger = logger.child({ component: 'temporal' });
  return Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVEL[level], ({ level: entryLevel, message, meta }) => temporalLogger[PINO_LEVEL[entryLevel]](logFields(meta), message)),
    telemetryOptions: {
      // Without `forward`, core writes its own (ANSI-coloured text) lines to stderr.
      logging: { forward: {}, filter: { core: TEMPORAL_LEVEL[level], other: 'WARN' } },
      metrics: { prometheus: { bindAddress: metricsBindAddress, histogramBucketOverrides: { [METRIC.stepDuration]: STEP_DURATION_BUCKETS_SECONDS, [METRIC.lifecycleStepDuration]: LIFECYCLE_STEP_DURATION_BUCKETS_SECONDS } } },
    },
    // The worker command handles SIGINT/SIGTERM itself, to close the pool after the worker drains.
    shutdownSignals: [],
  });
}
