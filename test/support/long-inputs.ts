/**
 * A well-formed email address of exactly `length` characters (199 to 260): a local part of 64, the
 * OWASP maximum, and a domain of labels no longer than 63. Valid in every respect but, above 254, length.
 */
export function emailOfLength(length: number): string {
  const lastLabel = length - 64 - '@'.length - 64 - 64 - '.com'.length;
  if (lastLabel < 1 || lastLabel > 63) throw new RangeError(`emailOfLength supports 199 to 261 characters, not ${length}`);
  return `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(lastLabel)}.com`;
}
