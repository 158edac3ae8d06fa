import type { DataConverter } from '@temporalio/common';
import type { PayloadKey } from '../config';
import { AesGcmPayloadCodec } from './payload-codec';

export function dataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: require.resolve('./failure-converter') };
}
