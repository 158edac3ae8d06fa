import bcrypt from 'bcrypt';
import { ProvisioningError } from '../../src/db/errors';
import { generateTemporaryPassword, hashPassword, PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, validatePassword } from '../../src/db/passwords';

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
  ])('refuses %s as InvalidInput on password, without echoing it', (_, password) => {
    const error = rejection(password);
    expect({ type: error.type, field: error.field }).toEqual({ type: 'InvalidInput', field: 'password' });
    if (typeof password === 'string') expect(error.message).not.toContain(password);
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

  it('refuses a cost below 10', () => {
    expect(() => hashPassword('correct horse', 9)).toThrow(/at least 10/);
    expect(() => hashPassword('correct horse', 10.5)).toThrow(/at least 10/);
  });
});
