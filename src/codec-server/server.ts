import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CodecServerConfig } from '../config/codec-server';
import type { Logger } from '../logging';
import { AesGcmPayloadCodec } from '../temporal/payload-codec';
import { decodeForDisplay } from './decode';
import { BadRequestBody, parsePayloads, payloadsToJson } from './payloads-json';

/** What the Temporal Web UI sends with a codec request (and so what a preflight must allow). */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-namespace'];
const PREFLIGHT_MAX_AGE_S = 600;
const MAX_PAYLOADS_PER_REQUEST = 10_000;
/** After a 413, how much more of the body is read and dropped so the client sees the answer, not a reset. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** `/encode`, `/decode`, or the same under a namespace (`/{namespace}/decode`, the CLI's `--codec-endpoint .../{namespace}`). */
const ROUTE = /^\/(?:([A-Za-z0-9._-]{1,255}|%7Bnamespace%7D)\/)?(encode|decode)\/?$/i;
/** temporal CLI 1.5 sends a `{namespace}` in --codec-endpoint as it is (URL-encoded), not the namespace. */
const NAMESPACE_PLACEHOLDER = '%7bnamespace%7d';

type Route = { kind: 'codec'; action: 'encode' | 'decode'; namespace: string | undefined } | { kind: 'health' } | { kind: 'unknown' };

function route(url: string | undefined): Route {
  const path = (url ?? '/').split('?')[0] ?? '/';
  if (path === '/healthz') return { kind: 'health' };
  const match = ROUTE.exec(path);
  if (!match) return { kind: 'unknown' };
  const namespace = match[1]?.toLowerCase() === NAMESPACE_PLACEHOLDER ? undefined : match[1];
  return { kind: 'codec', action: match[2]!.toLowerCase() as 'encode' | 'decode', namespace };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Constant-time: both sides are hashed to the same length first, so neither the token nor its length leaks through timing. */
function bearerMatcher(token: string): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `request body larger than ${limit} bytes (CODEC_MAX_BODY_BYTES); send fewer payloads per request`, { connection: 'close' });
}

/** Drops the rest of a refused body (up to MAX_DRAIN_BYTES), so the client reads the error instead of a broken pipe. */
function drain(request: IncomingMessage): void {
  let dropped = 0;
  request.removeAllListeners('data');
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DRAIN_BYTES) request.destroy();
  });
  request.resume();
}

export interface CodecServer {
  server: Server;
  /** The address it listens on, e.g. http://127.0.0.1:8888. */
  url: string;
  close: () => Promise<void>;
}

/**
 * Temporal's codec server protocol over our payload codec: POST /encode encrypts, POST /decode decrypts and
 * redacts secrets (SECRET_RULES) so the Web UI and `temporal workflow show --codec-endpoint` show everything
 * else. Every codec request needs `Authorization: Bearer <CODEC_AUTH_TOKEN>`; browsers may call only from
 * CODEC_CORS_ORIGINS. Logs one line per request with its outcome and counts, never a payload or a header.
 */
export async function startCodecServer(config: CodecServerConfig, logger: Logger): Promise<CodecServer> {
  const codec = new AesGcmPayloadCodec(config.payloadKeys, 'pass');
  const authorized = config.authToken ? bearerMatcher(config.authToken.reveal()) : () => true;
  const allowedOrigins = new Set(config.corsOrigins);

  const handle = async (request: IncomingMessage, response: ServerResponse, target: Route, log: Record<string, unknown>): Promise<void> => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      response.end(JSON.stringify(body));
    };
    const origin = request.headers.origin;
    const originAllowed = origin !== undefined && allowedOrigins.has(origin.toLowerCase());
    if (origin !== undefined) {
      response.setHeader('vary', 'Origin');
      if (originAllowed) {
        response.setHeader('access-control-allow-origin', origin);
        response.setHeader('access-control-allow-credentials', 'true');
      }
    }
    if (target.kind === 'health') return send(200, { status: 'ok' });
    if (target.kind === 'unknown') return send(404, { error: 'not found; the codec endpoints are POST /encode, /decode, /{namespace}/encode and /{namespace}/decode' });
    if (request.method === 'OPTIONS') {
      // A browser's preflight carries no credentials: it is answered for the allowed origins alone.
      if (!originAllowed) return send(403, { error: 'origin not allowed; add it to CODEC_CORS_ORIGINS' });
      log.status = 204;
      response.writeHead(204, {
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
      });
      response.end();
      return;
    }
    if (request.method !== 'POST') return send(405, { error: 'method not allowed; use POST' }, { allow: 'POST, OPTIONS' });
    if (origin !== undefined && !originAllowed) return send(403, { error: 'origin not allowed; add it to CODEC_CORS_ORIGINS' });
    if (!authorized(request.headers.authorization)) {
      return send(401, { error: 'missing or wrong bearer token; send Authorization: Bearer <CODEC_AUTH_TOKEN> (temporal CLI: --codec-auth "Bearer <token>")' }, {
        'www-authenticate': 'Bearer',
      });
    }
    const contentType = request.headers['content-type'];
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      return send(415, { error: `content-type must be application/json` });
    }
    const raw = await readBody(request, config.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'the body is not valid JSON; send {"payloads": [...]} (Temporal Payloads in proto3 JSON)');
    }
    const payloads = parsePayloads(body, MAX_PAYLOADS_PER_REQUEST);
    log.payloads = payloads.length;
    if (target.action === 'encode') return send(200, payloadsToJson(await codec.encode(payloads)));
    const decoded = await decodeForDisplay(codec, payloads);
    log.redacted = decoded.redacted;
    if (decoded.undecryptable > 0) log.undecryptable = decoded.undecryptable;
    return send(200, payloadsToJson(decoded.payloads));
  };

  const server = createServer((request, response) => {
    const started = performance.now();
    const target = route(request.url);
    // Only what names the request's outcome; the path itself may hold anything a client typed.
    const log: Record<string, unknown> = { method: request.method, endpoint: target.kind === 'codec' ? target.action : target.kind };
    if (target.kind === 'codec') log.namespace = target.namespace ?? request.headers['x-namespace'];
    response.once('finish', () => {
      log.durationMs = Math.round(performance.now() - started);
      if (target.kind !== 'health') logger.info(log, 'codec request');
    });
    handle(request, response, target, log).catch((error: unknown) => {
      const known = error instanceof HttpError ? error : error instanceof BadRequestBody ? new HttpError(400, error.message) : undefined;
      if (!known) logger.error({ endpoint: log.endpoint, errorName: (error as Error)?.name }, 'codec request failed');
      const failure = known ?? new HttpError(500, 'internal error');
      if (failure.status === 413) drain(request);
      if (response.headersSent) return void response.destroy();
      log.status = failure.status;
      response.writeHead(failure.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...failure.headers });
      response.end(JSON.stringify({ error: failure.message }));
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
