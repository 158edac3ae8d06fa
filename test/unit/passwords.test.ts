import bcrypt from 'bcrypt';
import { ProvisioningError } from '../../src/contracts/errors';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, validatePassword } from '../../src/contracts/passwords';
import { generateTemporaryPassword, hashPassword, verifyPassword } from '../../src/domain/passwords';
import { INVISIBLE_IN_NAMES } from '../support/invisible-characters';

const PRECOMPOSED = 'caf\u00e9 au lait'; // "é" as one code point, as most keyboards type it
const DECOMPOSED = 'cafe\u0301 au lait'; // "e" + COMBINING ACUTE ACCENT, as others (and some IMEs) do

function rejection(password: unknown): ProvisioningError {
  try {
    validatePassword(password);
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisioningError);
    return error as ProvisioningError;
  }
  throw new Error('expected validatePassword to throw');
}

describe('validatePassword', () => {
  it.each([
    ['8 ASCII bytes', 'p'.repeat(PASSWORD_MIN_BYTES)],
    ['72 ASCII bytes', 'p'.repeat(PASSWORD_MAX_BYTES)],
    ["24 x '€' (72 bytes)", '€'.repeat(24)],
  ])('accepts %s unchanged', (_, password) => {
    expect(validatePassword(password)).toBe(password);
  });

  it.each([
    ['7 bytes', 'p'.repeat(7)],
    ['73 bytes', 'p'.repeat(73)],
    ["25 x '€' (75 bytes in 25 characters)", '€'.repeat(25)],
    ['a NUL character', 'correct\0horse'],
    ['a non-string', 12345678],
    // 72 bytes as given, but NFC decomposes U+0958 into two code points: 144 bytes reach bcrypt.
    ["24 x U+0958 (72 bytes, 144 after NFC)", '\u0958'.repeat(24)],
    ...INVISIBLE_IN_NAMES.map(({ label, char }): [string, string] => [label, `correct horse${char}battery`]),
  ])('refuses %s as InvalidInput on password, without echoing it', (_, password) => {
    const error = rejection(password);
    expect({ type: error.type, field: error.field }).toEqual({ type: 'InvalidInput', field: 'password' });
    if (typeof password === 'string') expect(error.message).not.toContain(password);
  });

  it('composes to NFC, so one password typed two ways is one password', () => {
    expect(validatePassword(DECOMPOSED)).toBe(PRECOMPOSED);
    expect(validatePassword(PRECOMPOSED)).toBe(PRECOMPOSED);
  });

  it("checks the byte limit after NFC: 25 x 'e' + U+0301 is 75 bytes as given but 50 as stored", () => {
    expect(validatePassword('e\u0301'.repeat(25))).toBe('\u00e9'.repeat(25));
  });
});

describe('generateTemporaryPassword', () => {
  it('gives 24 URL-safe characters (144 random bits), different every time', () => {
    const passwords = Array.from({ length: 50 }, generateTemporaryPassword);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    expect(() => validatePassword(passwords[0])).not.toThrow();
  });
});

describe('hashPassword', () => {
  it('hashes with bcrypt at the given cost', async () => {
    const hash = await hashPassword('correct horse', 10);
    expect(hash).toMatch(/^\$2b\$10\$/);
    expect(await bcrypt.compare('correct horse', hash)).toBe(true);
  });

  it('verifies a password typed decomposed against the hash of it typed precomposed, and the other way round', async () => {
    expect(await verifyPassword(DECOMPOSED, await hashPassword(PRECOMPOSED, 10))).toBe(true);
    expect(await verifyPassword(PRECOMPOSED, await hashPassword(DECOMPOSED, 10))).toBe(true);
    expect(await verifyPassword('cafe au lait', await hashPassword(PRECOMPOSED, 10))).toBe(false);
  });

  it('refuses a cost below 10', () => {
    expect(() => hashPassword('correct horse', 9)).toThrow(/at least 10/);
    expect(() => hashPassword('correct horse', 10.5)).toThrow(/at least 10/);
  });
});
