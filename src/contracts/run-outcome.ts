/** Why a provisioning failed, as its run record keeps it: the step, the error type and message. */
export interface RunFailure {
  step: string;
  type?: string;
  message: string;
}

/** The final status the workflow records after compensating. */
export interface RunOutcome {
  status: 'compensated' | 'compensation_failed';
  failure: RunFailure;
}
