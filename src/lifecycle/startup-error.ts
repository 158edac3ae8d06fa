import { exitCodeForSignal } from '../exit-codes';

/** Start-up cannot go on: the message is one line naming the cause and the fix, the exit code is documented. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** SIGTERM or SIGINT arrived before the worker ran: what was built is torn down and the process exits 128 + n. */
export class StopRequested extends StartupError {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal} during start-up`, exitCodeForSignal(signal));
    this.name = 'StopRequested';
  }
}
