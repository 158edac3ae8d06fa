import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProvisioningStack } from '../lib/provisioning-stack';
import type { LoadShape } from './direct-phase';
import { workerProfileSplit, type WorkerProfileSplit } from './worker-profile';
import { runWorkerProcessesPhase, type LoadedWindow } from './worker-processes-phase';

/**
 * `--profile`: the loaded run with one worker process under `node --cpu-prof` (a profile per thread,
 * written into a temporary directory as the process exits), split by category over the loaded run's
 * window only. A run of its own: the profiler's overhead stays out of the other figures.
 */
export async function runProfiledWorker(stack: ProvisioningStack, load: LoadShape, bcryptCpuMsPerHash: number): Promise<WorkerProfileSplit> {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-workflows-cpu-prof-'));
  try {
    let window: LoadedWindow | undefined;
    await runWorkerProcessesPhase(stack, load, [1], { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir], onWindow: (w) => (window = w) });
    if (!window) throw new Error('--profile: the profiled run measured nothing');
    return workerProfileSplit(dir, window, bcryptCpuMsPerHash);
  } finally {
    if (!process.env.BENCH_KEEP_PROFILES) rmSync(dir, { recursive: true, force: true });
    else console.error(`profiles kept in ${dir}`);
  }
}
