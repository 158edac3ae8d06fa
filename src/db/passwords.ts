import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { invalidInput } from './errors';

export const PASSWORD_MIN_BYTES = 8;
/** bcrypt reads at most 72 bytes; a longer password would be silently truncated, so it is refused. */
export const PASSWORD_MAX_BYTES = 72;
export const BCRYPT_MIN_COST = 10;

/** Checks a caller-chosen password; the message never contains the password. */
export function validatePassword(value: unknown): string {
  if (typeof value !== 'string') throw invalidInput('password', 'must be a string');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES || bytes > PASSWORD_MAX_BYTES) {
    throw invalidInput('password', `must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes in UTF-8 (got ${bytes})`);
  }
  // bcrypt's C implementation stops at the first NUL: everything after it would be ignored.
  if (value.includes('\0')) throw invalidInput('password', 'must not contain a NUL character');
  return value;
}

/** A temporary password with 144 bits from the OS's CSPRNG, 24 URL-safe characters. */
export function generateTemporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function hashPassword(password: string, cost: number): Promise<string> {
  if (!Number.isInteger(cost) || cost < BCRYPT_MIN_COST) throw new Error(`bcrypt cost must be an integer of at least ${BCRYPT_MIN_COST}`);
  return bcrypt.hash(password, cost);
}
