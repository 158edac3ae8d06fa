import { ProvisioningError, type ProvisioningErrorType } from '../../src/contracts/errors';

/** Awaits `operation`, expecting it to fail with a ProvisioningError of `type` (and, for InvalidInput, `field`). */
export async function expectProvisioningError(operation: Promise<unknown>, type: ProvisioningErrorType, field?: string): Promise<ProvisioningError> {
  const outcome = await operation.then(
    (value: unknown) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ProvisioningError of type ${type}, but the operation succeeded`);
  expect(outcome.error).toBeInstanceOf(ProvisioningError);
  const error = outcome.error as ProvisioningError;
  expect({ type: error.type, field: error.field }).toEqual({ type, field });
  return error;
}
