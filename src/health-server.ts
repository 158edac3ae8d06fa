import { createServer, type Server } from 'node:http';
import { safeErrorMessage } from './db/driver-errors';
import type { Logger } from './logging';

export interface ReadinessCheck {
  name: string;
  /** Resolves to true when ready, false or a rejection (with its message) when not. */
  check: () => Promise<boolean | string>;
}

export interface HealthServerOptions {
  port: number;
  host?: string;
  readiness: ReadinessCheck[];
  /** Where the Temporal Runtime exports Prometheus metrics, proxied at /metrics. */
  metricsUrl: string;
  logger: Logger;
}

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)));
  try {
    const result = await Promise.race([check.check(), timeout]);
    return result === true ? { ok: true, detail: 'ok' } : { ok: false, detail: result === false ? 'not ready' : result };
  } catch (error) {
    return { ok: false, detail: safeErrorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

const ENDPOINTS = ['/healthz', '/readyz', '/metrics'];

/** /healthz: the process is alive. /readyz: every readiness check passes (503 with each check's state otherwise). /metrics. */
export async function startHealthServer(options: HealthServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (request.url ?? '/').split('?')[0];
    const handle = async () => {
      if (ENDPOINTS.includes(path ?? '') && request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('allow', 'GET, HEAD');
        return send(405, { error: 'method not allowed' });
      }
      if (path === '/healthz') return send(200, { status: 'ok' });
      if (path === '/readyz') {
        const results = await Promise.all(options.readiness.map(async (c) => [c.name, await runCheck(c)] as const));
        const ready = results.every(([, r]) => r.ok);
        return send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([n, r]) => [n, r.detail])) });
      }
      if (path === '/metrics') {
        const upstream = await fetch(options.metricsUrl);
        return send(upstream.status, await upstream.text(), upstream.headers.get('content-type') ?? 'text/plain; version=0.0.4');
      }
      return send(404, { error: 'not found' });
    };
    handle().catch((error: unknown) => {
      options.logger.error({ err: error, path }, 'health server request failed');
      if (!response.headersSent) send(500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  return server;
}

/** Stops the server, ending keep-alive connections (a probe's) that would otherwise hold close() open. */
export function closeHealthServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
