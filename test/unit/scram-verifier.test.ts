import { saslPrep, scramSha256Verifier } from '../../src/db/scram-verifier';

/** Verifiers PostgreSQL 15 itself stored for `CREATE ROLE ... PASSWORD '<password>'` (pg_authid.rolpassword). */
const POSTGRES_VERIFIERS: [string, string, string][] = [
  ['ASCII', 'pencil', 'SCRAM-SHA-256$4096:qcGwJOZgcmN+awuxlqhA6g==$hA4pj66/ZNtegFwvpFyWkSojC/kExvel3HRoSJfymIw=:6oHP+7DQgmY5Xiig0O7psKymERn8rfNM9gvW0KttlSA='],
  ['NFC umlauts', 'P\u00e4ssw\u00f6rd', 'SCRAM-SHA-256$4096://DxEskXXNC1o7HDNafXmA==$QcCcKu+B6OqLPjPTvBFiu8oYZskaec3qxw1dyBxcQ/o=:OAGyu7+CSBBTWIX+gfBiCb5xwGtYlkgSGfI6MJWpEus='],
  ['NFD umlauts (normalized)', 'Pa\u0308sswo\u0308rd', 'SCRAM-SHA-256$4096:qj0JP54NCYJo0IJnVgk/hw==$167ynZAdjw/H37LIbAZaRLsI+m2iV1H1F6W/QvB+7W8=:+3tdC0hLsg1lP57kYYwC8sjg+/9NSK4JJ1+ZYDKT3fI='],
  ['a ligature (NFKC)', '\ufb01 passwort', 'SCRAM-SHA-256$4096:Ekifv619GWwwS3KEmT33gA==$xGsURdB32HA9iG2jZm6kqabtf6YZMHcTc+ewf0yUWXg=:jBdu6Do0vh3gE5J2+YtuvBqKKXuLDyDuymCg9KHxPUg='],
  ['full-width forms', '\uff21\uff42\uff43\uff0d\uff11\uff12\uff13', 'SCRAM-SHA-256$4096:N1l2iIKZOxe0fQncfunNdg==$U7wTaY839y3LNFS/+yNYZI3XCZ+mh0ySHH+L2MvGIDQ=:VZAlIjCgbMCSdAJe4q/GI3/P7I0VNdXNvFUUtiIuMYM='],
  ['a no-break space and a soft hyphen', 'pass\u00a0word\u00ad', 'SCRAM-SHA-256$4096:Mvb2wEtDCk+w4w/xu8k7uw==$wcNABxJZHT2XtS7iyE56zRSZPOUgSWxr0b35+eDn4ew=:kK14gPqB+rgOY3IYTpWC0d9FinSOhFK1rFI2HIL5Hjw='],
];

describe('scramSha256Verifier', () => {
  it.each(POSTGRES_VERIFIERS)('matches the verifier PostgreSQL derives for %s, given its salt', (_, password, verifier) => {
    const [, iterations, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier)!;
    expect(scramSha256Verifier(password, Buffer.from(salt!, 'base64'), Number(iterations))).toBe(verifier);
  });

  it('uses 4096 iterations and a fresh 16-byte salt each time, and never contains the password', () => {
    const [first, second] = [scramSha256Verifier('pencil'), scramSha256Verifier('pencil')];
    expect(first).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('pencil');
  });
});

describe('saslPrep', () => {
  it('leaves ASCII, control characters included, as it is', () => {
    expect(saslPrep('pa ss\tword')).toBe('pa ss\tword');
  });

  it('uses a password it must reject (a private-use character) unchanged, as PostgreSQL does', () => {
    expect(saslPrep('pa\u00a0ss\ue000')).toBe('pa\u00a0ss\ue000');
  });
});
