import { harnessState } from './harness-state';

export default async function globalTeardown(): Promise<void> {
  const { stops } = harnessState();
  while (stops.length > 0) await stops.shift()?.();
}
