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
