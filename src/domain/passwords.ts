import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { canonicalPassword } from '../contracts/passwords';

export const BCRYPT_MIN_COST = 10;

/** A temporary password with 144 bits from the OS's CSPRNG, 24 URL-safe characters. */
export function generateTemporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function hashPassword(password: string, cost: number): Promise<string> {
  if (!Number.isInteger(cost) || cost < BCRYPT_MIN_COST) throw new Error(`bcrypt cost must be an integer of at least ${BCRYPT_MIN_COST}`);
  return bcrypt.hash(canonicalPassword(password), cost);
}

/** Whether `password`, in its canonical form, is the one `hash` was made from. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(canonicalPassword(password), hash);
}
