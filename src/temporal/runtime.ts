import { DefaultLogger, Runtime, type LogLevel as TemporalLogLevel } from '@temporalio/worker';
import type { LogLevel } from '../config';
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
 * Installs the process's Temporal Runtime once: SDK and activity/workflow logs (with their workflow
 * and activity ids) go to our JSON logger, and the Runtime's metrics, ours included, are exported
 * in Prometheus format on `metricsBindAddress` (served to scrapers through our /metrics).
 */
export function installRuntime(logger: Logger, level: LogLevel, metricsBindAddress: string): Runtime {
  const temporalLogger = logger.child({ component: 'temporal' });
  return Runtime.install({
    logger: new DefaultLogger(TEMPORAL_LEVEL[level], ({ level: entryLevel, message, meta }) => temporalLogger[PINO_LEVEL[entryLevel]](meta ?? {}, message)),
    telemetryOptions: { metrics: { prometheus: { bindAddress: metricsBindAddress } } },
    // The worker command handles SIGINT/SIGTERM itself, to close the pool after the worker drains.
    shutdownSignals: [],
  });
}
