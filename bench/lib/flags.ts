/** The exit status of a bad command line, as the tenant-workflows CLI uses it. */
export const EX_USAGE = 64;

export class UsageError extends Error {}

/** Reads a command line with `read`, turning whatever it throws (parseArgs's own errors included) into a UsageError. */
export function readFlags<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** One integer flag of a benchmark's command line, or an error naming the flag, its range and the value given. */
export function integerFlag(values: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, not '${String(values[name])}'`);
  return value;
}

/** What a benchmark prints and exits with when it fails: 64 and where its flags are explained for a bad command line, else 1. */
export function reportFailure(program: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `${program}: ${message} (the flags are in bench/README.md)` : `${program} failed: ${message}`);
  process.exitCode = error instanceof UsageError ? EX_USAGE : 1;
}

/** A comma-separated list of integers (`--workers 1,2,3`), each in range, or an error naming the flag; [] for ''. */
export function integerListFlag(values: Record<string, unknown>, name: string, min: number, max: number): number[] {
  const value = values[name];
  const text = typeof value === 'string' ? value : '';
  if (text === '') return [];
  return text.split(',').map((item) => {
    const n = Number(item);
    if (item.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a comma-separated list of integers from ${min} to ${max}, not '${text}'`);
    return n;
  });
}
