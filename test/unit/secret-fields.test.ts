import { REDACTED, redactSecrets, SECRET_RULES } from '../../src/contracts/secret-fields';
import { readRepositoryFile } from '../harness/repository-files';

describe('src/contracts/secret-fields.ts', () => {
  it('is pure: it imports nothing (the workflow bundle and any client may load it)', () => {
    expect(readRepositoryFile('src/contracts/secret-fields.ts')).not.toMatch(/^\s*import\b|require\(/m);
  });

  it('names the password, the temporary password and the request digest, each with where it occurs', () => {
    expect(SECRET_RULES.map((r) => r.name)).toEqual(expect.arrayContaining(['password', 'temporaryPassword', 'requestDigest']));
    for (const rule of SECRET_RULES) expect(rule.where.length).toBeGreaterThan(0);
  });

  it('redacts secret keys at any depth and in arrays, counts them, and leaves the rest and its argument alone', () => {
    const value = { admin: { email: 'a@b.test', password: 'pw-1' }, runs: [{ result: { temporaryPassword: 'tmp-1' } }], note: 'password' };
    const copy = structuredClone(value);
    expect(redactSecrets(value)).toEqual({
      value: { admin: { email: 'a@b.test', password: REDACTED }, runs: [{ result: { temporaryPassword: REDACTED } }], note: 'password' },
      redacted: 2,
    });
    expect(value).toEqual(copy);
  });

  it('leaves an absent password (null) as it is, and redacts a bare SHA-256 hex string (the memo digest) only', () => {
    expect(redactSecrets({ password: null })).toEqual({ value: { password: null }, redacted: 0 });
    expect(redactSecrets('a'.repeat(64))).toEqual({ value: REDACTED, redacted: 1 });
    expect(redactSecrets('8ae9152d-ec16-4313-9d5b-8a62973de442')).toEqual({ value: '8ae9152d-ec16-4313-9d5b-8a62973de442', redacted: 0 });
    expect(redactSecrets(42)).toEqual({ value: 42, redacted: 0 });
  });
});
