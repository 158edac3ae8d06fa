import { constants } from 'node:os';

/**
 * Every exit code the CLI uses, from sysexits(3) where one fits; the README's exit-code table lists
 * each case. A stop requested by a signal before the worker ran exits 128 + the signal's number,
 * as a shell reports a process that signal ended.
 */
export const EXIT = {
  OK: 0,
  /** The command ran and failed (a provisioning failed, `migrate --check` found pending migrations). */
  FAILURE: 1,
  USAGE: 64,
  /** Invalid input (create-tenant, status): a malformed name, email, slug or password, an admin email in use. */
  DATA_ERROR: 65,
  /** What create-tenant was asked to create exists already: the tenant (TenantAlreadyExists), or its slug was a deleted tenant's (SlugOfDeletedTenant). EX_CANTCREAT. */
  ALREADY_EXISTS: 73,
  /** A dependency cannot be reached: the Temporal frontend, PostgreSQL. */
  UNAVAILABLE: 69,
  /** The installation is incomplete: the prebuilt workflow bundle is missing in production. */
  SOFTWARE: 70,
  /** A resource another process holds (the health port is in use), or try later (a tenant still being provisioned). */
  TEMP_FAILURE: 75,
  /** A dependency refuses our credentials: PostgreSQL's role or password, Temporal's API key or certificate. */
  NO_PERMISSION: 77,
  /** The configuration is invalid or names something that does not exist (a variable, a namespace, a database). */
  CONFIG: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * The exit code of a provisioning that failed for good with this failure type, whether the client found it
 * before starting or a step did (create-tenant, with or without --wait).
 */
export function exitCodeForProvisioningFailure(type: string | undefined): number {
  if (type === 'InvalidInput' || type === 'EmailAlreadyInUse') return EXIT.DATA_ERROR;
  if (type === 'TenantAlreadyExists' || type === 'SlugOfDeletedTenant') return EXIT.ALREADY_EXISTS;
  // suspend/reactivate of a tenant still being provisioned: it can be once provisioning has ended.
  if (type === 'TenantNotSuspendable' || type === 'TenantNotSuspended' || type === 'TenantNotDeletable') return EXIT.TEMP_FAILURE;
  return EXIT.FAILURE;
}
