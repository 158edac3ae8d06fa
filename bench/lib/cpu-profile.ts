/**
 * A V8 .cpuprofile (what `node --cpu-prof` writes, one file per thread) split into where the time went:
 * each sample's time goes to the category of its leaf frame or, when the leaf is not ours to name
 * (Node internals, a native call), of the nearest caller that is: a pg socket write called by knex is
 * SQL, a Buffer copy called by the payload codec is the codec.
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** CLOCK_MONOTONIC, µs. */
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs since the previous sample (the first: since startTime). */
  timeDeltas: number[];
}

export const CPU_CATEGORIES = [
  'temporal sdk',
  'workflow activation',
  'activity code',
  'codec',
  'logging',
  'sql driver',
  'bcrypt (main thread)',
  'gc',
  'program',
  'other js',
] as const;
export type CpuCategory = (typeof CPU_CATEGORIES)[number];

/** What a frame's script URL says, first match wins; checked from the leaf up (see categoryOfStack). */
const URL_CATEGORIES: Array<[RegExp, CpuCategory]> = [
  [/\/src\/temporal\/(payload-codec|data-converter|failure-converter)|\/src\/contracts\/unencrypted-payload/, 'codec'],
  // The SDK's own logger (metadata of every entry, debug ones too, before the level filter; core's forwarded lines) is logging too.
  [
    /\/node_modules\/(pino|pino-[^/]+|sonic-boom|thread-stream|fast-redact|@pinojs\/[^/]+|fast-safe-stringify|on-exit-leak-free|atomic-sleep)\/|\/src\/logging|\/@temporalio\/[^/]+\/lib\/(logger|runtime-logger)\.js/,
    'logging',
  ],
  [/\/node_modules\/(knex|pg|pg-[^/]+|tarn|postgres-[^/]+|pgpass|split2)\//, 'sql driver'],
  [/\/node_modules\/bcrypt\//, 'bcrypt (main thread)'],
  [/\/node_modules\/@temporalio\/workflow\/|workflow-bundle|\/src\/workflows\//, 'workflow activation'],
  [/\/node_modules\/(@temporalio\/[^/]+|protobufjs|@protobufjs\/[^/]+|long|ms|nexus-rpc|@grpc\/[^/]+)\//, 'temporal sdk'],
  [/\/src\/(activities|db|domain)\//, 'activity code'],
];

/** The category of one frame on its own, or undefined when it takes its caller's (Node internals, natives, our glue). */
export function categoryOfFrame(frame: CpuProfileNode['callFrame']): CpuCategory | undefined {
  if (frame.functionName === '(garbage collector)') return 'gc';
  if (frame.functionName === '(program)') return 'program';
  for (const [pattern, category] of URL_CATEGORIES) if (pattern.test(frame.url)) return category;
  return undefined;
}

export interface CpuSplit {
  /** Sampled ms per category; idle (the thread waiting in its event loop) apart. */
  ms: Record<CpuCategory, number>;
  idleMs: number;
  /** Sampled ms that were not idle: the sum of `ms`. */
  busyMs: number;
}

/**
 * The profile's time, by category, counting only samples whose timestamp lies in [fromUs, toUs] (the
 * loaded run; start-up and shutdown left out). A sample lasts until the next one. `everything`, when
 * given, puts every non-idle, non-GC sample in that category (a workflow thread runs nothing else).
 */
export function splitProfile(profile: CpuProfile, window: { fromUs: number; toUs: number } = { fromUs: -Infinity, toUs: Infinity }, everything?: CpuCategory): CpuSplit {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const memo = new Map<number, CpuCategory | 'idle'>();
  const categoryOf = (id: number): CpuCategory | 'idle' => {
    const known = memo.get(id);
    if (known) return known;
    const leaf = byId.get(id);
    let found: CpuCategory | 'idle' = 'other js';
    if (leaf?.callFrame.functionName === '(idle)') found = 'idle';
    else {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const category = categoryOfFrame(byId.get(at)!.callFrame);
        if (category) {
          found = category;
          break;
        }
      }
      if (everything && found !== 'gc') found = everything;
    }
    memo.set(id, found);
    return found;
  };
  const ms = Object.fromEntries(CPU_CATEGORIES.map((c) => [c, 0])) as Record<CpuCategory, number>;
  let idleMs = 0;
  let at = profile.startTime;
  const times = profile.samples.map((_, i) => (at += profile.timeDeltas[i] ?? 0));
  for (let i = 0; i < profile.samples.length; i++) {
    const t = times[i]!;
    if (t < window.fromUs || t > window.toUs) continue;
    const durationMs = ((times[i + 1] ?? profile.endTime) - t) / 1000;
    const category = categoryOf(profile.samples[i]!);
    if (category === 'idle') idleMs += durationMs;
    else ms[category] += durationMs;
  }
  return { ms, idleMs, busyMs: Object.values(ms).reduce((a, b) => a + b, 0) };
}
