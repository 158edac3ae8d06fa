/**
 * Names of our own metrics, exported alongside the Temporal Runtime's on /metrics, in Prometheus's
 * conventions: counters end in _total, a unit is a suffix in base units (_seconds). Pure: used by workflow code too.
 */
export const METRIC = {
  provisioningsStarted: 'tenant_provisionings_started_total',
  provisioningsSucceeded: 'tenant_provisionings_succeeded_total',
  provisioningsFailed: 'tenant_provisionings_failed_total',
  provisioningsCompensated: 'tenant_provisionings_compensated_total',
  stepDuration: 'tenant_provisioning_step_duration_seconds',
  poolInUse: 'tenant_workflows_db_pool_in_use',
  poolWaiting: 'tenant_workflows_db_pool_waiting',
  poolSize: 'tenant_workflows_db_pool_size',
} as const;

/** Buckets of the step duration histogram, in seconds (a step takes milliseconds to a minute, its timeout). */
export const STEP_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
