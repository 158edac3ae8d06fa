import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
export const SCRAM_ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / RFC 7677), in the form
 * `CREATE ROLE ... PASSWORD` accepts as already encrypted:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. Sending it instead of the password
 * keeps the plaintext out of the SQL text, the server's log and any error that quotes the statement.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

type Ranges = readonly (readonly [number, number])[];
/** RFC 3454 C.1.2, mapped to a space. */
const NON_ASCII_SPACE: Ranges = [[0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
/** RFC 3454 B.1: soft hyphen, joiners, variation selectors and the like, mapped to nothing. */
const MAPPED_TO_NOTHING: Ranges = [[0xad, 0xad], [0x34f, 0x34f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200c, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff]];
/** RFC 3454 C.1.2-C.9: spaces, controls, private use, non-characters, surrogates, display-changing and tagging code points. */
const PROHIBITED: Ranges = [
  ...NON_ASCII_SPACE, [0x00, 0x1f], [0x7f, 0x9f], [0x340, 0x341], [0x6dd, 0x6dd], [0x70f, 0x70f], [0x180e, 0x180e], [0x200c, 0x200f], [0x2028, 0x202e],
  [0x2060, 0x2063], [0x206a, 0x206f], [0x2ff0, 0x2ffb], [0xd800, 0xdfff], [0xe000, 0xf8ff], [0xfdd0, 0xfdef], [0xfeff, 0xfeff], [0xfff9, 0xffff],
  [0x1d173, 0x1d17a], [0xe0001, 0xe0001], [0xe0020, 0xe007f], [0xf0000, 0x10ffff],
];
const UNASSIGNED = /\p{Cn}/u;
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

const codePoints = (text: string) => [...text].map((char) => char.codePointAt(0)!);
const inRanges = (ranges: Ranges) => (codePoint: number) => ranges.some(([low, high]) => codePoint >= low && codePoint <= high);

/**
 * SASLprep (RFC 4013) as PostgreSQL applies it before deriving a verifier: ASCII passes unchanged;
 * otherwise non-ASCII spaces become spaces, invisible joiners and selectors are dropped and the
 * result is NFKC-normalized. A password SASLprep rejects is used as it is, as PostgreSQL does.
 * Unicode 3.2's tables are approximated with the runtime's Unicode data (scripts for bidi classes).
 */
export function saslPrep(password: string): string {
  const input = codePoints(password);
  if (input.every((codePoint) => codePoint < 0x80)) return password;
  const mapped = input.filter((c) => !inRanges(MAPPED_TO_NOTHING)(c)).map((c) => (inRanges(NON_ASCII_SPACE)(c) ? 0x20 : c));
  const prepared = String.fromCodePoint(...mapped).normalize('NFKC');
  const chars = [...prepared];
  if (codePoints(prepared).some(inRanges(PROHIBITED)) || chars.some((char) => UNASSIGNED.test(char))) return password;
  const randAl = chars.map((char) => RAND_AL.test(char));
  if (randAl.includes(true)) {
    const otherLetter = chars.some((char, index) => !randAl[index] && /\p{L}/u.test(char));
    if (otherLetter || !randAl[0] || !randAl.at(-1)) return password;
  }
  return prepared;
}
