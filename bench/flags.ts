/** One integer flag of a benchmark's command line, or an error naming the flag, its range and the value given. */
export function integerFlag(values: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, not '${String(values[name])}'`);
  return value;
}
