import { connect, createServer, type Socket } from 'node:net';

export interface SwitchableProxy {
  /** host:port to connect to instead of the target: the service's stable address. */
  host: string;
  port: number;
  address: string;
  /** Where new connections go now. */
  target: () => string;
  /**
   * Sends new connections to `target` (host:port), as a DNS name or a PgBouncer pointed elsewhere
   * would. Connections already open stay on the old target unless `dropExisting`.
   */
  switchTo: (target: string, options?: { dropExisting?: boolean }) => void;
  /** Stops listening and drops every connection. */
  close: () => Promise<void>;
}

function split(target: string): { host: string; port: number } {
  const separator = target.lastIndexOf(':');
  return { host: target.slice(0, separator), port: Number(target.slice(separator + 1)) };
}

/** A TCP proxy on a free 127.0.0.1 port whose target can be switched while it runs. */
export async function startSwitchableProxy(initialTarget: string): Promise<SwitchableProxy> {
  let target = initialTarget;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server = createServer((client) => {
    const upstream = connect(split(target).port, split(target).host);
    const pair = { client, upstream };
    pairs.add(pair);
    for (const socket of [client, upstream]) socket.on('error', () => socket.destroy());
    client.pipe(upstream).pipe(client);
    client.once('close', () => {
      upstream.destroy();
      pairs.delete(pair);
    });
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const dropAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    target: () => target,
    switchTo: (next, options = {}) => {
      target = next;
      if (options.dropExisting) dropAll();
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        dropAll();
      }),
  };
}
