/** What global setup started, kept on globalThis so global teardown (same process) can stop it. */
export interface HarnessState {
  stops: Array<() => Promise<void>>;
}

const KEY = Symbol.for('tenant-workflows.test-harness');

export function harnessState(): HarnessState {
  const holder = globalThis as unknown as Record<symbol, HarnessState | undefined>;
  holder[KEY] ??= { stops: [] };
  return holder[KEY];
}

export function harnessLog(message: string): void {
  process.stderr.write(`[test harness] ${message}\n`);
}
