import type { Knex } from 'knex';

/** The admin pool as Knex builds it (a tarn pool), with the counters and events this reads. */
type TarnPool = Extract<NonNullable<Knex.Client['pool']>, { numUsed(): number }>;

export interface PoolFigures {
  /** The pool's maximum size (DB_POOL_MAX). */
  size: number;
  /** The most connections lent out at once. */
  peakInUse: number;
  /** Connection requests made. */
  acquires: number;
  /** Requests that found every connection busy and waited for one to be released. */
  waited: number;
  /** The most requests waiting at once. */
  peakWaiting: number;
  /** Requests that gave up after DB_POOL_ACQUIRE_TIMEOUT_MS. */
  acquireTimeouts: number;
}

export interface PoolMonitor {
  /** The figures since the monitor started. */
  figures: () => PoolFigures;
  stop: () => void;
}

/**
 * Follows a Knex pool through its events (exact, unlike sampling): peak connections in use, requests
 * that had to wait for a connection, and acquire timeouts. `size` is the pool's configured maximum.
 */
export function monitorPool(knex: Knex, size: number): PoolMonitor {
  const pool = (knex.client as Knex.Client).pool as TarnPool | undefined;
  if (!pool || !('numUsed' in pool)) throw new Error('the knex instance has no tarn pool to monitor');
  const figures: PoolFigures = { size, peakInUse: 0, acquires: 0, waited: 0, peakWaiting: 0, acquireTimeouts: 0 };
  const requested = () => {
    figures.acquires += 1;
    const mustWait = pool.numFree() === 0 && pool.numUsed() + pool.numPendingCreates() >= size;
    if (!mustWait) return;
    figures.waited += 1;
    figures.peakWaiting = Math.max(figures.peakWaiting, pool.numPendingAcquires() + 1);
  };
  const acquired = () => (figures.peakInUse = Math.max(figures.peakInUse, pool.numUsed()));
  const failed = (_eventId: number, error: Error) => {
    if (error.name === 'TimeoutError') figures.acquireTimeouts += 1;
  };
  pool.on('acquireRequest', requested);
  pool.on('acquireSuccess', acquired);
  pool.on('acquireFail', failed);
  return {
    figures: () => ({ ...figures }),
    stop: () => {
      pool.removeListener('acquireRequest', requested);
      pool.removeListener('acquireSuccess', acquired);
      pool.removeListener('acquireFail', failed);
    },
  };
}
