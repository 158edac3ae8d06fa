import { ProvisioningError } from '../../src/contracts/errors';
import { normalizeTenantInput, toWorkflowInput } from '../../src/contracts/tenant-request';
import { normalizeEmail, normalizePersonName, normalizeSlug, normalizeTenantName, requireUuid, slugFromName } from '../../src/contracts/validation';
import { emailOfLength } from '../support/long-inputs';
import { INVISIBLE_IN_NAMES } from '../support/invisible-characters';

/** The field an InvalidInput names, or a failure when `normalize` accepts the value. */
function invalidField(normalize: () => unknown): string | undefined {
  try {
    normalize();
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisioningError);
    expect((error as ProvisioningError).type).toBe('InvalidInput');
    return (error as ProvisioningError).field;
  }
  throw new Error('expected an InvalidInput');
}

describe('normalizeTenantName', () => {
  it('trims and composes to NFC', () => {
    expect(normalizeTenantName('  Cafe\u0301 Ltd \n')).toBe('Café Ltd');
  });

  it('counts characters, not UTF-16 units: 100 emoji pass, 101 characters do not', () => {
    expect(normalizeTenantName('🚀'.repeat(100))).toBe('🚀'.repeat(100));
    expect(invalidField(() => normalizeTenantName('a'.repeat(101)))).toBe('name');
  });

  it.each(['', '   ', 'tab\there', 'zero\u200bwidth', 'bidi\u202eoverride', 'private\ue000use', 'line\u2028separator'])('refuses %j', (name) => {
    expect(invalidField(() => normalizeTenantName(name))).toBe('name');
  });

  it.each(INVISIBLE_IN_NAMES)('refuses a name that is or contains $label', ({ char }) => {
    expect(invalidField(() => normalizeTenantName(char))).toBe('name');
    expect(invalidField(() => normalizeTenantName(`${char}${char}`))).toBe('name');
    expect(invalidField(() => normalizeTenantName(`Acme${char}Corp`))).toBe('name');
  });
});

describe('slugs', () => {
  it('derives one from the name: accents dropped, other runs of characters become one hyphen', () => {
    expect(slugFromName('Crème Brûlée & Co.')).toBe('creme-brulee-co');
    expect(slugFromName('  ACME -- Widgets 2000 ')).toBe('acme-widgets-2000');
  });

  it('cuts a derived slug to 63 characters without a trailing hyphen', () => {
    const slug = slugFromName(`${'a'.repeat(62)} b`);
    expect(slug).toBe('a'.repeat(62));
  });

  it('lower-cases a given slug and accepts 3 to 63 characters', () => {
    expect(normalizeSlug(' Acme-Corp ')).toBe('acme-corp');
    expect(normalizeSlug('abc')).toBe('abc');
    expect(normalizeSlug('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it.each(['ab', 'a'.repeat(64), 'acme-', 'ac_me', '\uff41cme', 'acme corp', 'xn--80ak6aa92e', 'XN--mnchen-3ya', 'ab--cd', '\u212acme'])('refuses the slug %j', (slug) => {
    expect(invalidField(() => normalizeSlug(slug))).toBe('slug');
  });

  it('uses the given slug rather than the name', () => {
    expect(normalizeTenantInput({ name: 'Anything', slug: 'chosen', contactEmail: 'a@b.example' }).slug).toBe('chosen');
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('email', '  Ada.Lovelace+Admin@Example.COM ')).toBe('ada.lovelace+admin@example.com');
  });

  it('accepts the OWASP maxima: a local part of 64 and 254 in all', () => {
    expect(normalizeEmail('email', `${'a'.repeat(64)}@example.com`)).toHaveLength(64 + '@example.com'.length);
    expect(normalizeEmail('email', emailOfLength(254))).toHaveLength(254);
  });

  it("accepts RFC 5322's special characters in the local part, backtick and $ included, as the HTML email input does", () => {
    // Valid addresses; they reach PostgreSQL only as bound parameters and are never run by a shell.
    expect(normalizeEmail('email', "o'brien+`tag`$1@example.com")).toBe("o'brien+`tag`$1@example.com");
  });

  it('refuses one more of either', () => {
    expect(invalidField(() => normalizeEmail('email', `${'a'.repeat(65)}@example.com`))).toBe('email');
    expect(invalidField(() => normalizeEmail('contactEmail', emailOfLength(255)))).toBe('contactEmail');
  });

  it.each(['plain', '@example.com', 'a@', 'a@@example.com', 'a@b@example.com', '.a@example.com', 'a.@example.com', 'a..b@example.com', 'a@example', 'a@-example.com', 'a b@example.com', 'а@example.com', '\u212aate@example.com'])(
    'refuses %j',
    (email) => {
      expect(invalidField(() => normalizeEmail('email', email))).toBe('email');
    },
  );
});

describe('normalizePersonName', () => {
  it.each(['Ada', "O'Brien", 'D’Arcy', 'Jean-Luc', 'José María', 'Ζωή', 'Nguyễn', 'St. John'])('accepts %j', (name) => {
    expect(normalizePersonName('firstName', name)).toBe(name);
  });

  it.each(['', '-Ada', 'Ada1', 'Ada <script>', 'Ada;', '$(id)', '`id`', 'Ada\u0000'])('refuses %j', (name) => {
    expect(invalidField(() => normalizePersonName('lastName', name))).toBe('lastName');
  });

  it.each(INVISIBLE_IN_NAMES)('refuses a name that is or contains $label', ({ char }) => {
    expect(invalidField(() => normalizePersonName('firstName', char))).toBe('firstName');
    expect(invalidField(() => normalizePersonName('firstName', `A${char}da`))).toBe('firstName');
    expect(invalidField(() => normalizePersonName('lastName', `Ada${char}Lovelace`))).toBe('lastName');
  });
});

describe('requireUuid', () => {
  it('lower-cases a UUID', () => {
    expect(requireUuid('tenantId', '2ED6657D-E927-568B-95E1-2665A8AEA6A2')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it.each(['', 'acme', '2ed6657d-e927-568b-95e1-2665a8aea6a', '2ed6657de927568b95e12665a8aea6a2', undefined])('refuses %j', (id) => {
    expect(invalidField(() => requireUuid('tenantId', id))).toBe('tenantId');
  });
});

describe('toWorkflowInput: reuseDeletedSlug', () => {
  const request = { tenantName: 'Acme', admin: { email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace' } };

  it('is in the input only when asked for, so every other request keeps its input (and digest)', () => {
    expect(toWorkflowInput(request)).not.toHaveProperty('reuseDeletedSlug');
    expect(toWorkflowInput({ ...request, reuseDeletedSlug: false })).not.toHaveProperty('reuseDeletedSlug');
    expect(toWorkflowInput({ ...request, reuseDeletedSlug: true })).toMatchObject({ slug: 'acme', reuseDeletedSlug: true });
  });

  it('refuses anything but a boolean (InvalidInput naming the field)', () => {
    const error = (() => {
      try {
        toWorkflowInput({ ...request, reuseDeletedSlug: 'yes' as unknown as boolean });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ type: 'InvalidInput', field: 'reuseDeletedSlug' });
  });
});
