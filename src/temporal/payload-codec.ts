import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKey } from '../config';
import { unencryptedPayloadMarker } from '../contracts/unencrypted-payload';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Runs synchronous crypto work, turning a throw into a rejected promise as the codec contract expects. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What decode does with a payload that is not encrypted. `pass`: return it as it is (a client reading
 * what the server itself wrote). `mark`: the worker's choice: never decode it, hand the workflow a marker
 * instead, so plaintext input from a client without this codec is refused rather than used.
 */
export type UnencryptedPayloads = 'pass' | 'mark';

function markerPayload(encoding: string): Payload {
  return { metadata: { encoding: encoder.encode('json/plain') }, data: encoder.encode(JSON.stringify(unencryptedPayloadMarker(encoding))) };
}

/**
 * Encrypts every payload with AES-256-GCM before it reaches the Temporal server, so workflow input
 * (the admin's password) and results (a temporary password) are stored only as ciphertext. The key id
 * travels in the payload's metadata: add a new key first in the list to rotate, keep old ones to decrypt.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  readonly #encryptWith: { id: string; key: Buffer };
  readonly #keys: Map<string, Buffer>;

  constructor(
    keys: readonly PayloadKey[],
    private readonly unencrypted: UnencryptedPayloads = 'pass',
  ) {
    if (keys.length === 0) throw new Error('PAYLOAD_ENCRYPTION_KEYS: at least one key is required');
    this.#keys = new Map(keys.map((k) => [k.id, Buffer.from(k.key.reveal(), 'base64')]));
    this.#encryptWith = { id: keys[0]!.id, key: this.#keys.get(keys[0]!.id)! };
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() =>
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', this.#encryptWith.key, iv);
        const plain = temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return { metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(this.#encryptWith.id) }, data };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return settle(() =>
      payloads.map((payload) => {
        const encoding = payload.metadata?.encoding ? decoder.decode(payload.metadata.encoding) : '';
        if (encoding !== ENCRYPTED_ENCODING) return this.unencrypted === 'mark' ? markerPayload(encoding || 'none') : payload;
        const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
        const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
        const key = this.#keys.get(keyId);
        if (!key) throw new Error(`payload encrypted with key '${keyId}', which is not in PAYLOAD_ENCRYPTION_KEYS`);
        const data = Buffer.from(payload.data ?? new Uint8Array());
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
        return temporal.api.common.v1.Payload.decode(plain);
      }),
    );
  }
}
