import { invalidInput } from './errors';
import { INVISIBLE_OR_MALFORMED } from './validation';

export const PASSWORD_MIN_BYTES = 8;
/** bcrypt reads at most 72 bytes; a longer password would be silently truncated, so it is refused. */
export const PASSWORD_MAX_BYTES = 72;

/**
 * The one form a password is hashed and verified in: NFC, so "é" typed as one code point and as
 * "e" + U+0301 (two keyboards, one password) give the same bytes to bcrypt.
 */
export function canonicalPassword(password: string): string {
  return password.normalize('NFC');
}

/**
 * Checks a caller-chosen password and returns it in its canonical (NFC) form; the limits apply to
 * that form, which is what bcrypt reads. The message never contains the password.
 */
export function validatePassword(value: unknown): string {
  if (typeof value !== 'string') throw invalidInput('password', 'must be a string');
  const password = canonicalPassword(value);
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
    throw invalidInput('password', `must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes in UTF-8 after NFC normalization (got ${bytes})`);
  }
  // bcrypt's C implementation stops at the first NUL: everything after it would be ignored.
  if (password.includes('\0')) throw invalidInput('password', 'must not contain a NUL character');
  if (INVISIBLE_OR_MALFORMED.test(password)) {
    throw invalidInput('password', 'must not contain invisible characters (fillers, joiners, variation selectors) or lone surrogates');
  }
  return password;
}
