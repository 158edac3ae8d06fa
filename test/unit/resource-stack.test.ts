import { Writable } from 'node:stream';
import { ResourceStack } from '../../src/lifecycle/resource-stack';
import { createLogger } from '../../src/logging';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('ResourceStack', () => {
  it('closes in the exact reverse order of building, each awaited before the next', async () => {
    const { logger } = capturingLogger();
    const stack = new ResourceStack(logger);
    const events: string[] = [];
    for (const name of ['pool', 'server', 'connection', 'worker']) {
      stack.push(name, async () => {
        events.push(`${name} closing`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`${name} closed`);
      });
    }
    await stack.unwind();
    expect(events).toEqual(['worker closing', 'worker closed', 'connection closing', 'connection closed', 'server closing', 'server closed', 'pool closing', 'pool closed']);
  });

  it('logs a close that fails and goes on: the teardown never throws, so it never hides the error that caused it', async () => {
    const { logger, lines } = capturingLogger();
    const stack = new ResourceStack(logger);
    const closed: string[] = [];
    stack.push('the database pool', () => void closed.push('pool'));
    stack.push('the Temporal connection', () => Promise.reject(new Error('Cannot close connection while Workers hold a reference to it')));
    stack.push('the health server', () => void closed.push('server'));
    await expect(stack.unwind()).resolves.toBeUndefined();
    expect(closed).toEqual(['server', 'pool']);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', resource: 'the Temporal connection', msg: 'could not close the Temporal connection' }),
    ]);
    await stack.unwind();
    expect(closed).toEqual(['server', 'pool']);
  });
});
