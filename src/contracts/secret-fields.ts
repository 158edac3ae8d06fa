/**
 * Which parts of our Temporal payloads are secret: what the codec server never hands back decoded (it
 * answers with REDACTED in their place), so an operator reading a history in the Web UI or with
 * `temporal workflow show` sees every other field. Pure: no Node or native imports.
 *
 * Two kinds of rule, because a codec server sees one payload at a time and never which history field it
 * came from:
 * - `field`: a JSON object key, matched at any depth of a json/plain payload (an activity's input spreads
 *   the admin object, so the same key appears at different depths in different payloads).
 * - `value`: a payload that is a bare JSON string of a given shape (a memo value carries no key).
 */
export interface SecretFieldRule {
  kind: 'field';
  /** The JSON key whose value is secret, compared exactly (our payloads are camelCase). */
  name: string;
  /** Where it occurs, for the docs and for whoever adds a payload type. */
  where: string[];
}

export interface SecretValueRule {
  kind: 'value';
  name: string;
  /** A whole payload (a JSON string) that matches this is secret. */
  pattern: RegExp;
  where: string[];
  why: string;
}

export type SecretRule = SecretFieldRule | SecretValueRule;

export const REDACTED = '[REDACTED]';

export const SECRET_RULES: readonly SecretRule[] = [
  {
    kind: 'field',
    name: 'password',
    where: ['tenantCreationWorkflow input: admin.password', 'createAdminUser activity input: password'],
  },
  {
    kind: 'field',
    name: 'temporaryPassword',
    where: ['tenantCreationWorkflow result: temporaryPassword', 'createAdminUser activity result: temporaryPassword'],
  },
  // Never in a payload today; named so a hash that ever reaches one is caught too.
  { kind: 'field', name: 'passwordHash', where: ['(none today) a user row or result carrying a bcrypt hash'] },
  { kind: 'field', name: 'password_hash', where: ['(none today) a users row as the database returns it'] },
  {
    kind: 'value',
    name: 'requestDigest',
    // SHA-256 hex, as requestDigest() in the client writes it.
    pattern: /^[0-9a-f]{64}$/,
    where: ['memo requestDigest'],
    why: 'an unsalted SHA-256 of the request, password included: with the other (visible) input fields it lets a reader test password guesses offline',
  },
];

const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(SECRET_RULES.filter((r): r is SecretFieldRule => r.kind === 'field').map((r) => r.name));
const SECRET_VALUE_RULES = SECRET_RULES.filter((r): r is SecretValueRule => r.kind === 'value');

/** True when a JSON key's value is secret. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name);
}

/**
 * `value` (a decoded JSON payload) with every secret replaced by REDACTED, and how many were. Never
 * mutates its argument.
 */
export function redactSecrets(value: unknown): { value: unknown; redacted: number } {
  let redacted = 0;
  const walk = (node: unknown, depth: number): unknown => {
    if (depth > 64) return REDACTED; // deeper than any payload of ours: show nothing rather than risk a secret
    if (Array.isArray(node)) return node.map((item) => walk(item, depth + 1));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.entries(node).map(([key, item]) => {
          if (isSecretField(key) && item !== undefined && item !== null) {
            redacted++;
            return [key, REDACTED];
          }
          return [key, walk(item, depth + 1)];
        }),
      );
    }
    return node;
  };
  if (typeof value === 'string' && SECRET_VALUE_RULES.some((rule) => rule.pattern.test(value))) return { value: REDACTED, redacted: 1 };
  return { value: walk(value, 0), redacted };
}
