/**
 * What the worker's payload codec hands the workflow in place of a payload that arrived unencrypted
 * (a client without our codec: the `temporal` CLI, a bare SDK client). The plaintext itself is never
 * decoded, so a password in it is never used; the workflow sees this marker and fails with
 * UNENCRYPTED_PAYLOAD. Pure (no imports): loaded by the codec and by the workflow bundle.
 */
export const UNENCRYPTED_PAYLOAD_FIELD = '$unencryptedPayload';

export const UNENCRYPTED_PAYLOAD = 'UnencryptedPayload';

export interface UnencryptedPayloadMarker {
  [UNENCRYPTED_PAYLOAD_FIELD]: string;
}

export function unencryptedPayloadMarker(encoding: string): UnencryptedPayloadMarker {
  return { [UNENCRYPTED_PAYLOAD_FIELD]: encoding };
}

/** The encoding of the unencrypted payload `value` stands for, or undefined when it is not a marker. */
export function unencryptedEncodingOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const encoding = (value as Record<string, unknown>)[UNENCRYPTED_PAYLOAD_FIELD];
  return typeof encoding === 'string' ? encoding : undefined;
}
