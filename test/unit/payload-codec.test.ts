import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
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

describe('the documented payload format (README, "Starting a provisioning from another language")', () => {
  // The README's test vector: key k1 = 32 bytes of 0x11, nonce 000102…0b, inner Payload json/plain {"tenantName":"Acme"}.
  const vector = {
    key: { id: 'k1', key: new Secret('ERERERERERERERERERERERERERERERERERERERERERE=') },
    inner: '0a160a08656e636f64696e67120a6a736f6e2f706c61696e12157b2274656e616e744e616d65223a2241636d65227d',
    data: '000102030405060708090a0b19f5bc1b1ecd569b70d1bdf8d6a59d55a6cf2f1879143b41bbf5c45d89250d4f19c607d5216054ed54ce7596e161738bd247609aec1d1be1eb6e8646122bb9',
  };
  const encrypted = {
    metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from('k1') },
    data: Buffer.from(vector.data, 'hex'),
  };

  it('decrypts the test vector to the inner payload it documents', async () => {
    expect(await decoded(new AesGcmPayloadCodec([vector.key]), [encrypted])).toEqual([{ tenantName: 'Acme' }]);
    expect(Buffer.from(temporal.api.common.v1.Payload.encode((await new AesGcmPayloadCodec([vector.key]).decode([encrypted]))[0]!).finish()).toString('hex')).toBe(vector.inner);
  });

  it('the worker never decodes an unencrypted payload: it hands the workflow a marker naming its encoding', async () => {
    const [marked] = await decoded(new AesGcmPayloadCodec([vector.key], 'mark'), [payload]);
    expect(marked).toEqual({ $unencryptedPayload: 'json/plain' });
    expect(JSON.stringify(marked)).not.toContain('hunter2');
  });
});
