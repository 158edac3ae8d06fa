import type { Payload } from '@temporalio/common';
import { redactSecrets } from '../contracts/secret-fields';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../temporal/payload-codec';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface DecodeOutcome {
  payloads: Payload[];
  /** Secret values replaced by REDACTED. */
  redacted: number;
  /** Encrypted payloads no configured key opens (another key, tampered): returned as they came. */
  undecryptable: number;
}

function encodingOf(payload: Payload): string {
  return payload.metadata?.encoding ? decoder.decode(payload.metadata.encoding) : '';
}

/**
 * A json/plain payload with its secrets redacted (SECRET_RULES). Plaintext payloads are redacted too: a
 * client without our codec may have written a password in the clear, and this server never repeats one.
 */
function redactPayload(payload: Payload): { payload: Payload; redacted: number } {
  if (encodingOf(payload) !== 'json/plain') return { payload, redacted: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(payload.data ?? new Uint8Array()));
  } catch {
    return { payload, redacted: 0 };
  }
  const { value, redacted } = redactSecrets(parsed);
  if (redacted === 0) return { payload, redacted };
  return { payload: { metadata: payload.metadata ?? {}, data: encoder.encode(JSON.stringify(value)) }, redacted };
}

/** Decrypts what our keys open, then redacts secrets; one payload that does not decrypt leaves the others readable. */
export async function decodeForDisplay(codec: AesGcmPayloadCodec, payloads: readonly Payload[]): Promise<DecodeOutcome> {
  const outcome: DecodeOutcome = { payloads: [], redacted: 0, undecryptable: 0 };
  for (const payload of payloads) {
    let plain = payload;
    if (encodingOf(payload) === ENCRYPTED_ENCODING) {
      try {
        [plain] = (await codec.decode([payload])) as [Payload];
      } catch {
        outcome.undecryptable++;
        outcome.payloads.push(payload);
        continue;
      }
    }
    const { payload: shown, redacted } = redactPayload(plain);
    outcome.redacted += redacted;
    outcome.payloads.push(shown);
  }
  return outcome;
}
