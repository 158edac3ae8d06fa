import { splitProfile, type CpuProfile, type CpuProfileNode } from '../../bench/lib/cpu-profile';

const frame = (id: number, functionName: string, url: string, children: number[] = []): CpuProfileNode => ({ id, callFrame: { functionName, url }, children });

/**
 * root ─┬ (idle)                                      2
 *       ├ (garbage collector)                         1
 *       ├ (program)                                   1
 *       └ Worker.run (@temporalio/worker)             1 self
 *           └ activity (src/activities/step-runner)   1 self
 *               ├ Client.query (node_modules/pg)
 *               │   └ Socket.write (node:net)         2: a Node internal takes its caller's category
 *               ├ Pino.info (node_modules/pino)       1
 *               └ (anonymous, node:internal/util)     1: nearest named caller, the activity
 *           └ encode (src/temporal/payload-codec)
 *               └ createCipheriv (node:crypto)        1
 *           └ resolveMetadata (@temporalio/common/lib/logger) 1: the SDK's logger is logging too
 *       └ setTimeout (node:internal/timers)           1: no named frame at all
 * Every sample lasts 1 ms (timeDeltas of 1000 µs); 14 samples.
 */
const nodes = [
  frame(1, '(root)', '', [2, 3, 4, 5, 12]),
  frame(2, '(idle)', ''),
  frame(3, '(garbage collector)', ''),
  frame(4, '(program)', ''),
  frame(5, 'run', 'file:///app/node_modules/@temporalio/worker/lib/worker.js', [6, 11, 14]),
  frame(6, 'provisionStep', 'file:///app/src/activities/step-runner.ts', [7, 9, 10]),
  frame(7, 'Client.query', 'file:///app/node_modules/pg/lib/client.js', [8]),
  frame(8, 'Socket.write', 'node:net'),
  frame(9, 'Pino.info', 'file:///app/node_modules/pino/lib/proto.js'),
  frame(10, '', 'node:internal/util'),
  frame(11, 'encode', '/app/src/temporal/payload-codec.ts', [13]),
  frame(12, 'setTimeout', 'node:internal/timers'),
  frame(13, 'createCipheriv', 'node:crypto'),
  frame(14, 'resolveMetadata', 'file:///app/node_modules/@temporalio/common/lib/logger.js'),
];
const samples = [2, 2, 3, 4, 5, 6, 8, 8, 9, 10, 13, 12, 5, 14];
const profile: CpuProfile = { nodes, startTime: 1_000_000, endTime: 1_000_000 + 15_000, samples, timeDeltas: samples.map(() => 1000) };

describe('splitProfile: the worker profile by category', () => {
  it('gives each sample to its leaf, or to the nearest caller with a category', () => {
    const split = splitProfile(profile);
    expect(split.idleMs).toBe(2);
    expect(split.ms).toMatchObject({
      gc: 1,
      program: 1,
      'temporal sdk': 2,
      'activity code': 2,
      'sql driver': 2,
      logging: 2,
      codec: 1,
      'other js': 1,
      'workflow activation': 0,
    });
    expect(split.busyMs).toBe(12);
  });

  it('counts only the samples inside the window', () => {
    // samples at 1.001 s .. 1.013 s; the window keeps the 5th to the 8th (ids 5, 6, 8, 8)
    const split = splitProfile(profile, { fromUs: 1_005_000, toUs: 1_008_000 });
    expect(split.busyMs).toBe(4);
    expect(split.ms['sql driver']).toBe(2);
    expect(split.idleMs).toBe(0);
  });

  it('puts all of a workflow thread in workflow activation, GC and idle apart', () => {
    const split = splitProfile(profile, undefined, 'workflow activation');
    expect(split.ms['workflow activation']).toBe(11);
    expect(split.ms.gc).toBe(1);
    expect(split.idleMs).toBe(2);
  });
});
