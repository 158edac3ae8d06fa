import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/domain/passwords';
import { runConcurrently } from '../lib/concurrently';
import { quantile, round } from '../lib/stats';

export interface BcryptCeiling {
  cost: number;
  concurrency: number;
  hashes: number;
  hashesPerSecond: number;
  /** One hash's wall time, queueing for a libuv thread included. */
  medianHashMs: number;
  /** CPU time per hash: this process's, and the machine's. */
  cpuMsPerHash: { process: number; machine: number };
}

/**
 * The most admin users per second this process could create: bcrypt hashes per second at `cost`,
 * `concurrency` hashes in flight, through the same hashPassword the operation uses. bcrypt's async
 * hash runs on libuv's threadpool (UV_THREADPOOL_SIZE, 4 by default), so the cores and that pool cap it.
 */
export async function measureBcryptCeiling(cost: number, concurrency: number, hashes: number): Promise<BcryptCeiling> {
  const password = () => randomBytes(18).toString('base64url');
  await hashPassword(password(), cost); // warm-up, not counted
  const run = await runConcurrently(hashes, concurrency, () => hashPassword(password(), cost));
  const failed = run.outcomes.find((o) => !o.ok);
  if (failed) throw new Error('bcrypt failed while measuring its ceiling');
  return {
    cost,
    concurrency,
    hashes,
    hashesPerSecond: round(hashes / (run.elapsedMs / 1000)),
    medianHashMs: round(quantile(run.outcomes.map((o) => o.ms), 0.5)),
    cpuMsPerHash: { process: round(run.cpuMs / hashes), machine: round(run.machineCpuMs / hashes) },
  };
}
