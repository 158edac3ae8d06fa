import { createCipheriv } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { requestDigest } from '../../src/client';
import { Secret } from '../../src/config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/payload-codec';
import type { TenantCreationInput } from '../../src/contracts/tenant-creation';
import { readRepositoryFile } from '../harness/repository-files';

const key = (id: string, byte: number) => ({ id, key: new Secret(Buffer.alloc(32, byte).toString('base64')) });
const value = { password: 'hunter2-secret', email: 'a@b.test' };
const payload = defaultPayloadConverter.toPayload(value);
const decoded = async (codec: AesGcmPayloadCodec, encrypted: Parameters<AesGcmPayloadCodec['decode']>[0]) =>
  (await codec.decode(encrypted)).map((p) => defaultPayloadConverter.fromPayload(p));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('AesGcmPayloadCodec', () => {
  it('encrypts with the first key, names it in the metadata, and decrypts back', async () => {
    const codec = new AesGcmPayloadCodec([key('k2', 2), key('k1', 1)]);
    const [encrypted] = await codec.encode([payload]);
    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![KEY_ID_METADATA])).toBe('k2');
    expect(text(encrypted!.data)).not.toContain('hunter2');
    expect(await decoded(codec, [encrypted!])).toEqual([value]);
  });

  it('decrypts payloads written with an older key after rotation', async () => {
    const [old] = await new AesGcmPayloadCodec([key('k1', 1)]).encode([payload]);
    expect(await decoded(new AesGcmPayloadCodec([key('k2', 2), key('k1', 1)]), [old!])).toEqual([value]);
  });

  it('refuses a payload whose key is unknown, or whose ciphertext was altered', async () => {
    const [encrypted] = await new AesGcmPayloadCodec([key('k1', 1)]).encode([payload]);
    await expect(new AesGcmPayloadCodec([key('k9', 9)]).decode([encrypted!])).rejects.toThrow("payload encrypted with key 'k1', which is not in PAYLOAD_ENCRYPTION_KEYS");
    const tampered = { ...encrypted!, data: Buffer.from(encrypted!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(new AesGcmPayloadCodec([key('k1', 1)]).decode([tampered])).rejects.toThrow(/unable to authenticate/);
  });

  it('passes through payloads that are not encrypted', async () => {
    expect(await decoded(new AesGcmPayloadCodec([key('k1', 1)]), [payload])).toEqual([value]);
  });
});

/** The value labelled `label` in a ```text block of docs/payload-encryption.md: the document is the one source of the vectors. */
function documented(label: string): string {
  const match = new RegExp(`^${label} {2,}(\\S.*)$`, 'm').exec(readRepositoryFile('docs/payload-encryption.md'));
  if (!match) throw new Error(`docs/payload-encryption.md has no '${label}' line`);
  return match[1]!.trim();
}

describe('the documented payload format (docs/payload-encryption.md)', () => {
  const [keyId, keyBase64] = documented('key').split(':') as [string, string];
  const vector = {
    key: { id: keyId, key: new Secret(keyBase64) },
    nonce: Buffer.from(documented('nonce'), 'hex'),
    inner: documented('inner payload'),
    data: documented('encrypted data'),
  };
  const encrypted = {
    metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
    data: Buffer.from(vector.data, 'hex'),
  };

  it('the test vector is nonce ‖ AES-256-GCM ciphertext ‖ 16-byte tag of the inner payload', () => {
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), vector.nonce);
    const data = Buffer.concat([vector.nonce, cipher.update(Buffer.from(vector.inner, 'hex')), cipher.final(), cipher.getAuthTag()]);
    expect(data.toString('hex')).toBe(vector.data);
  });

  it('our codec decrypts the test vector to the inner payload it documents', async () => {
    expect(await decoded(new AesGcmPayloadCodec([vector.key]), [encrypted])).toEqual([{ tenantName: 'Acme' }]);
    expect(Buffer.from(temporal.api.common.v1.Payload.encode((await new AesGcmPayloadCodec([vector.key]).decode([encrypted]))[0]!).finish()).toString('hex')).toBe(vector.inner);
  });

  it('the request digest vector is what our client writes in the memo', () => {
    expect(requestDigest(JSON.parse(documented('input')) as TenantCreationInput)).toBe(documented('requestDigest'));
  });

  it('the worker never decodes an unencrypted payload: it hands the workflow a marker naming its encoding', async () => {
    const [marked] = await decoded(new AesGcmPayloadCodec([vector.key], 'mark'), [payload]);
    expect(marked).toEqual({ $unencryptedPayload: 'json/plain' });
    expect(JSON.stringify(marked)).not.toContain('hunter2');
  });
});
