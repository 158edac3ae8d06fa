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
  /** Offboardings (tenantDeletionWorkflow) started, and ended by `outcome`: deleted, cancelled, failed. */
  offboardingsStarted: 'tenant_offboardings_started_total',
  offboardingsEnded: 'tenant_offboardings_ended_total',
  /** Rows of offboarded tenants, by `phase`: exported (archived and verified) and deleted. */
  offboardingRows: 'tenant_offboarding_rows_total',
  /** Duration of one lifecycle step attempt (suspend, reactivate, export, verify, delete...), by `step`. */
  lifecycleStepDuration: 'tenant_lifecycle_step_duration_seconds',
  poolInUse: 'tenant_workflows_db_pool_in_use',
  poolWaiting: 'tenant_workflows_db_pool_waiting',
  poolSize: 'tenant_workflows_db_pool_size',
  /** New connections checked for a writable primary, by `result` (writable, in_recovery, read_only, error). */
  dbConnectionChecks: 'tenant_workflows_db_connection_checks_total',
  /** Connections discarded instead of reused, by `reason` (the SQLSTATE, or in_recovery/read_only at the check). */
  dbConnectionsDiscarded: 'tenant_workflows_db_connections_discarded_total',
  /** Faults (a discarded connection, a failed connect) followed by a new writable connection. */
  dbRecoveries: 'tenant_workflows_db_recoveries_total',
  /** Seconds from the first fault to the next writable connection, of the last recovery. */
  dbLastRecovery: 'tenant_workflows_db_last_recovery_seconds',
  /** The connections this replica may open on the server (its pools' maxima): its share of the connection budget. */
  dbConnectionShare: 'tenant_workflows_db_connection_share',
  /** max_connections less the reserved slots, as the server reported at start-up. */
  dbServerConnectionsAvailable: 'tenant_workflows_db_server_connections_available',
} as const;

/** Buckets of the step duration histogram, in seconds (a step takes milliseconds to a minute, its timeout). */
export const STEP_DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Buckets of the lifecycle step histogram: a suspend takes milliseconds, a large tenant's export or delete hours. */
export const LIFECYCLE_STEP_DURATION_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600];
