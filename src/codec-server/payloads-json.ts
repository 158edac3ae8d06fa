import type { Payload } from '@temporalio/common';

/**
 * The codec protocol's body, `{"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}`:
 * Temporal's Payloads message in proto3 JSON, where every bytes field is base64 (standard or URL-safe).
 * Parsing names the first thing wrong, for a 400 the caller can act on; it never echoes a value.
 */
export class BadRequestBody extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestBody';
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

function bytes(value: unknown, where: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new BadRequestBody(`${where} must be a base64 string (proto3 JSON bytes)`);
  return new Uint8Array(Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64'));
}

export function parsePayloads(body: unknown, maxPayloads: number): Payload[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestBody('the body must be a JSON object {"payloads": [...]}');
  const { payloads } = body as { payloads?: unknown };
  if (payloads === undefined) return [];
  if (!Array.isArray(payloads)) throw new BadRequestBody('"payloads" must be an array');
  if (payloads.length > maxPayloads) throw new BadRequestBody(`"payloads" holds ${payloads.length} payloads; at most ${maxPayloads} per request`);
  return payloads.map((item: unknown, index) => {
    const where = `payloads[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new BadRequestBody(`${where} must be an object with "metadata" and "data"`);
    const { metadata, data } = item as { metadata?: unknown; data?: unknown };
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
      throw new BadRequestBody(`${where}.metadata must be an object of base64 strings`);
    }
    const decodedMetadata: Record<string, Uint8Array> = {};
    for (const [key, value] of Object.entries((metadata ?? {}) as Record<string, unknown>)) decodedMetadata[key] = bytes(value, `${where}.metadata.${key}`);
    return { metadata: decodedMetadata, data: data === undefined || data === null ? new Uint8Array() : bytes(data, `${where}.data`) };
  });
}

export function payloadsToJson(payloads: readonly Payload[]): { payloads: Array<{ metadata: Record<string, string>; data: string }> } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
      data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
    })),
  };
}
