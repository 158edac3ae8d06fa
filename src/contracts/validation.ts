import { invalidInput } from './errors';

const CONTROL_OR_INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u;
/**
 * Code points that render as nothing or as a blank, which a name's other checks let through as letters,
 * marks or symbols: Unicode's default-ignorables (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the
 * combining grapheme joiner, variation selectors, U+180E, U+2060-U+2064, U+FEFF...), the braille blank
 * U+2800, and lone surrogates (UTF-8 turns each into U+FFFD, so different strings would collide).
 */
export const INVISIBLE_OR_MALFORMED = /[\p{Default_Ignorable_Code_Point}\u2800\p{Cs}]/u;
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// RFC 5891 4.2.3.1: hyphens in the 3rd and 4th positions mark an IDN encoding ("xn--" punycode), which
// would show as some other name wherever the slug becomes a hostname label.
const IDN_ENCODED_LABEL = /^..--/;
const SLUG_MIN = 3;
const SLUG_MAX = 63;
const NAME_MAX = 100;
// RFC 5321/5322 "dot-atom" local part and a hostname; ASCII only, so look-alike letters from other scripts fail.
const EMAIL_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const EMAIL_DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// Letters of any script, combining marks, spaces and the punctuation names really contain.
const PERSON_NAME = /^[\p{L}\p{M}](?:[\p{L}\p{M}' ’.-]*[\p{L}\p{M}.])?$/u;

/** Lower-cases A-Z only: String#toLowerCase maps some non-ASCII letters (the Kelvin sign U+212A) to ASCII ones. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidInput(field, 'is required and must be a string');
  return value;
}

function boundedText(field: string, value: unknown, max: number): string {
  const text = requireString(field, value).trim().normalize('NFC');
  if (text.length === 0) throw invalidInput(field, 'must not be empty or only whitespace');
  if ([...text].length > max) throw invalidInput(field, `must be at most ${max} characters`);
  if (CONTROL_OR_INVISIBLE.test(text) || INVISIBLE_OR_MALFORMED.test(text)) throw invalidInput(field, 'must not contain control or invisible characters');
  return text;
}

const REASON_MAX = 500;

/** Why a tenant is suspended: 1-500 characters after trimming, no control or invisible characters. */
export function normalizeSuspensionReason(value: unknown): string {
  return boundedText('reason', value, REASON_MAX);
}

/** A tenant's display name: 1-100 characters after trimming, no control or invisible characters. */
export function normalizeTenantName(value: unknown): string {
  return boundedText('name', value, NAME_MAX);
}

/** A person's first or last name: letters of any script, spaces, apostrophes, hyphens and periods. */
export function normalizePersonName(field: string, value: unknown): string {
  const text = boundedText(field, value, NAME_MAX);
  if (!PERSON_NAME.test(text)) throw invalidInput(field, 'may contain only letters, spaces, apostrophes, hyphens and periods');
  return text;
}

/**
 * A given slug: trimmed, lower-cased, then exactly [a-z0-9-], 3-63 characters, no leading or trailing
 * hyphen, and no "--" at positions 3-4 (an IDN label such as xn--...).
 */
export function normalizeSlug(value: unknown): string {
  const slug = asciiLowerCase(requireString('slug', value).trim());
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) throw invalidInput('slug', `must be ${SLUG_MIN} to ${SLUG_MAX} characters`);
  if (!SLUG.test(slug)) throw invalidInput('slug', 'may contain only a-z, 0-9 and inner hyphens');
  if (IDN_ENCODED_LABEL.test(slug)) throw invalidInput('slug', 'must not have hyphens as its 3rd and 4th characters (reserved for IDN encodings such as xn--)');
  return slug;
}

/** A slug derived from a (normalized) tenant name: accents dropped, other runs of characters become one hyphen. */
export function slugFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX)
    .replace(/^-+|-+$/g, '');
  if (slug.length < SLUG_MIN) throw invalidInput('slug', `cannot be derived from the name (too few Latin letters or digits); give a slug of ${SLUG_MIN}-${SLUG_MAX} characters`);
  return slug;
}

/** An email address per OWASP's limits: local part at most 64, whole at most 254; lower-cased. */
export function normalizeEmail(field: string, value: unknown): string {
  const email = asciiLowerCase(requireString(field, value).trim());
  if (email.length === 0) throw invalidInput(field, 'must not be empty');
  if (email.length > 254) throw invalidInput(field, 'must be at most 254 characters');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at <= 0 || !EMAIL_LOCAL.test(local) || !EMAIL_DOMAIN.test(domain)) throw invalidInput(field, 'is not a valid email address');
  if (local.length > 64) throw invalidInput(field, 'must have at most 64 characters before the @');
  return email;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id this service issued (a tenant or user id): a UUID. */
export function requireUuid(field: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw invalidInput(field, 'must be a UUID');
  return value.toLowerCase();
}
