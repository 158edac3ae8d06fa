import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../src/logging';

/** The JSON lines a logger writes. */
function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger('info', stream),
    lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it("serializes an ApplicationFailure under any key: its type, name, message, stack and causes, never its details", () => {
    const { logger, lines } = capture();
    const cause = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED', password: 'hunter2hunter2' });
    const failure = ApplicationFailure.create({ type: 'EmailAlreadyInUse', message: 'the admin email is already used', details: [{ password: 'hunter2hunter2' }], cause });
    logger.warn({ error: failure, nested: { failures: [failure] } }, 'Activity failed');
    logger.error({ err: new TypeError('bad') }, 'with err');

    const [first, second] = lines();
    const expected = {
      type: 'EmailAlreadyInUse',
      name: 'ApplicationFailure',
      message: 'the admin email is already used',
      stack: expect.stringContaining('ApplicationFailure: the admin email is already used') as string,
      cause: { type: 'Error', name: 'Error', message: 'connection refused', code: 'ECONNREFUSED', stack: expect.any(String) as string },
    };
    expect(first).toMatchObject({ error: expected, nested: { failures: [expected] } });
    expect(second).toMatchObject({ err: { type: 'TypeError', name: 'TypeError', message: 'bad', stack: expect.any(String) as string } });
    expect(JSON.stringify(lines())).not.toContain('hunter2');
  });
});
