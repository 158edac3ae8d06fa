import { defaultPayloadConverter } from '@temporalio/common';
import { Secret } from '../../src/config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/payload-codec';

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
