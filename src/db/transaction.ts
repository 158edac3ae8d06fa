import type { Knex } from 'knex';

/** Work to do inside an operation's transaction, after its own writes and before COMMIT (a step's run record). */
export type BeforeCommit<T> = (trx: Knex.Transaction, result: T) => Promise<void>;

/** knex.transaction, running `beforeCommit` with the result inside the same transaction. */
export function transaction<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>, beforeCommit?: BeforeCommit<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    const result = await work(trx);
    await beforeCommit?.(trx, result);
    return result;
  });
}
