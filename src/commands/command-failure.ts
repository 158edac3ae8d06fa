import { EXIT } from '../exit-codes';

/**
 * How a command ends unsuccessfully: a type and one message (the JSON error of --json), the documented
 * exit code, and for a human also a hint (a command's usage). cli.ts prints it; commands only throw.
 */
export class CommandFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly exitCode: number,
    readonly options: { field?: string; hint?: string } = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** A command line that does not parse or breaks a command's rules: exit 64 (EX_USAGE), with the command's usage as the hint. */
export function usageFailure(message: string, usage: string, field?: string): CommandFailure {
  return new CommandFailure('Usage', message, EXIT.USAGE, { hint: usage, ...(field === undefined ? {} : { field }) });
}
