// Entry point of the workflow bundle: every workflow the worker registers.
export { tenantCreationWorkflow } from './tenant-creation';
export { tenantReactivationWorkflow, tenantSuspensionWorkflow } from './tenant-suspension';
export { tenantDeletionWorkflow } from './tenant-deletion';
