import type { DataConverter } from '@temporalio/common';
import type { PayloadKey } from '../config';
import { AesGcmPayloadCodec, type UnencryptedPayloads } from './payload-codec';

/** Clients pass unencrypted payloads through; the worker marks them so the workflow refuses them. */
export function dataConverter(keys: readonly PayloadKey[], unencrypted: UnencryptedPayloads = 'pass'): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys, unencrypted)], failureConverterPath: require.resolve('./failure-converter') };
}
