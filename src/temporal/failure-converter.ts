import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces move into an encoded payload, so the payload codec encrypts them
 * too: an error message naming an input value never reaches Temporal in plain text. Loaded by path
 * (failureConverterPath) so the workflow bundle, the worker and the client all use it.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
