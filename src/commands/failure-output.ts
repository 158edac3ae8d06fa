import { LifecycleInProgressError, ProvisioningInProgressError, TemporalUnreachableError, TenantAlreadyProvisionedError } from '../client';
import { ConfigError } from '../config';
import { safeErrorMessage } from '../db/driver-errors';
import { ProvisioningError } from '../contracts/errors';
import { EXIT, exitCodeForProvisioningFailure } from '../exit-codes';
import { StartupError } from '../lifecycle/startup-error';
import { CommandFailure } from './command-failure';

/** One failed outcome of a command: `{"error": {type, message, field?}}` with --json, text lines on stderr otherwise. */
export interface FailureOutput {
  exitCode: number;
  error: { type: string; message: string; field?: string };
  /** The lines a human reads on stderr. */
  text: string;
}

/** Every error a command can end with, mapped once to its exit code (README, "Exit codes") and its output. */
export function failureOutput(error: unknown, command: string, usage: string): FailureOutput {
  const make = (exitCode: number, type: string, message: string, text: string, field?: string): FailureOutput => ({
    exitCode,
    error: { type, message, ...(field === undefined ? {} : { field }) },
    text,
  });
  if (error instanceof CommandFailure) {
    return make(error.exitCode, error.type, error.message, error.options.hint ? `${error.message}\n\n${error.options.hint}` : error.message, error.options.field);
  }
  if (error instanceof ConfigError) {
    return make(EXIT.CONFIG, 'ConfigError', error.problems.join('; '), error.problems.map((p) => `configuration error: ${p}`).join('\n'));
  }
  if (error instanceof StartupError) return make(error.exitCode, error.name, error.message, `tenant-workflows ${command}: ${error.message}`);
  if ((error as { code?: unknown } | null)?.code?.toString().startsWith('ERR_PARSE_ARGS')) {
    const message = (error as Error).message;
    return make(EXIT.USAGE, 'Usage', message, `${message}\n\n${usage}`);
  }
  if (error instanceof ProvisioningError) {
    return make(exitCodeForProvisioningFailure(error.type), error.type, error.message, error.type === 'InvalidInput' ? `invalid input: ${error.message}` : error.message, error.field);
  }
  if (error instanceof LifecycleInProgressError) return make(EXIT.TEMP_FAILURE, error.type, error.message, error.message);
  if (error instanceof ProvisioningInProgressError) return make(EXIT.TEMP_FAILURE, error.type, error.message, error.message);
  if (error instanceof TemporalUnreachableError) return make(EXIT.UNAVAILABLE, error.name, error.message, `tenant-workflows ${command}: ${error.message}`);
  if (error instanceof TenantAlreadyProvisionedError) return make(EXIT.ALREADY_EXISTS, 'TenantAlreadyExists', error.message, error.message);
  const message = error === undefined ? 'failed without an error message' : safeErrorMessage(error);
  return make(EXIT.FAILURE, error instanceof Error ? error.name : 'Error', message, `tenant-workflows ${command} failed: ${message}`);
}
