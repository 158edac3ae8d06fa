/** Names of our own metrics, exported alongside the Temporal Runtime's on /metrics. Pure: used by workflow code too. */
export const METRIC = {
  provisioningsStarted: 'tenant_provisionings_started',
  provisioningsSucceeded: 'tenant_provisionings_succeeded',
  provisioningsFailed: 'tenant_provisionings_failed',
  provisioningsCompensated: 'tenant_provisionings_compensated',
  stepDuration: 'tenant_provisioning_step_duration',
  poolInUse: 'tenant_workflows_db_pool_in_use',
  poolWaiting: 'tenant_workflows_db_pool_waiting',
  poolSize: 'tenant_workflows_db_pool_size',
} as const;
