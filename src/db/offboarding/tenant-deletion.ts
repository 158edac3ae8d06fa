import type { Knex } from 'knex';
import { ProvisioningError } from '../../contracts/errors';
import { requireUuid } from '../../contracts/validation';
import { usesLookupTables } from '../citus';
import { deleteRowsOfLockedTenant, TENANT_TABLES_CHILDREN_FIRST } from '../tenant-operations';
import { tenantSchemaOf, tenantTable, TENANT_TABLE_KEYS, TENANT_TABLES, type TenantTable } from '../tenant-tables';
import { tenantRowsPage } from './tenant-export';
import { findTombstone, markTombstoneDeleted, writeTombstone } from './tombstones';

export const DEFAULT_DELETE_BATCH_SIZE = 1000;

export interface DeletionTarget {
  tenantId: string;
  slug: string;
  /** SHA-256 of the verified archive's manifest, kept in the tombstone. */
  manifestSha256: string;
  /** Rows of each table the archive holds: the tombstone's counts if the tenant was marked offboarding by an older worker. */
  rowCounts: Record<string, number>;
}

export interface DeletionBatch {
  /** Rows this batch deleted (the tenant row counts in the last batch). */
  deleted: number;
  /** The tenant is gone and its tombstone written. */
  finished: boolean;
  /** Where the next batch starts: the table and the last key deleted (an index range past the dead rows). */
  cursor?: DeletionCursor;
}

/** A hint, not a guarantee: a batch given none (or a stale one) starts at the table's first key. */
export interface DeletionCursor {
  table: TenantTable;
  after: unknown[];
}

/** Rows of the tenant in each tenant table. */
async function countRowsOfTenant(trx: Knex.Transaction, tenantId: string): Promise<Record<TenantTable, number>> {
  const counts = {} as Record<TenantTable, number>;
  for (const table of TENANT_TABLES) {
    const [row] = await tenantTable(trx, table).where({ tenant: tenantId }).count<Array<{ count: string | number }>>({ count: '*' });
    counts[table] = Number(row?.count ?? 0);
  }
  return counts;
}

/**
 * Deletes up to `limit` rows of the tenant from one table: a range of its primary key, from past `after`
 * (where the previous batch stopped, so a batch does not wade through the dead index entries of earlier
 * ones) to the `limit`-th key after it, found first by the index. Both statements stay on the tenant's
 * shard on Citus. Returns the rows deleted and the range's last key (none when the range ran to the end).
 */
async function deleteSome(trx: Knex.Transaction, table: TenantTable, tenantId: string, limit: number, after: unknown[] | undefined): Promise<{ deleted: number; last?: unknown[] }> {
  const keys = TENANT_TABLE_KEYS[table].slice(1);
  const bound: Record<string, unknown> | undefined = await tenantRowsPage(trx, table, tenantId, after, 1).clearSelect().offset(limit - 1).first(keys);
  const upper = bound && keys.map((k) => bound[k] as Knex.Value);
  const columns = `(${keys.map(() => '??').join(', ')})`;
  const values = `(${keys.map(() => '?').join(', ')})`;
  let sql = 'DELETE FROM ?? WHERE tenant = ?';
  const bindings: Knex.RawBinding[] = [`${tenantSchemaOf(trx)}.${table}`, tenantId];
  if (after) {
    sql += ` AND ${columns} > ${values}`;
    bindings.push(...keys, ...(after as Knex.Value[]));
  }
  if (upper) {
    sql += ` AND ${columns} <= ${values}`;
    bindings.push(...keys, ...upper);
  }
  const result = await trx.raw<{ rowCount: number }>(sql, bindings);
  return { deleted: result.rowCount, ...(upper ? { last: upper } : {}) };
}

/**
 * One batch of a tenant's deletion, one transaction holding the tenant row's lock (by id: routed to the
 * tenant's shard on Citus): the tenant marked `offboarding` (from `suspended`) and its tombstone written
 * with the rows it holds, then up to `batchSize` rows deleted from the first table, children first, that
 * still has rows. When only the tenant row is left: the tombstone's deleted_at set and the tenant row and
 * its lookup rows deleted, in the same transaction.
 * Idempotent: each batch deletes what is still there, so a killed worker's retry resumes where it
 * stopped; a tenant already gone with its tombstone is finished.
 */
export async function deleteTenantBatch(knex: Knex, target: DeletionTarget, batchSize = DEFAULT_DELETE_BATCH_SIZE, cursor?: DeletionCursor): Promise<DeletionBatch> {
  const tenantId = requireUuid('tenantId', target.tenantId);
  const lookup = await usesLookupTables(knex);
  return knex.transaction(async (trx) => {
    const tenant = await tenantTable(trx, 'tenants').where({ tenant: tenantId }).forUpdate().first<{ status: string; slug: string } | undefined>('status', 'slug');
    if (!tenant) {
      if (await findTombstone(trx, tenantId)) return { deleted: 0, finished: true };
      throw new ProvisioningError('TenantNotFound', `tenant ${tenantId} does not exist and was not deleted by offboarding`);
    }
    if (tenant.slug !== target.slug) throw new ProvisioningError('InvalidInput', `tenant ${tenantId} has slug '${tenant.slug}', not '${target.slug}'`, 'slug');
    if (tenant.status === 'suspended') {
      await tenantTable(trx, 'tenants').where({ tenant: tenantId }).update({ status: 'offboarding', suspension_reason: null, suspended_at: null, updated_at: trx.fn.now() });
      // Nothing is deleted yet: what the tenant holds now, under its lock, is what the deletion will remove.
      await writeTombstone(trx, tenantId, tenant.slug, target.manifestSha256, await countRowsOfTenant(trx, tenantId));
    } else if (tenant.status === 'offboarding') {
      // Marked by a worker that did not write the tombstone first (before this version): the archive's counts.
      if (!(await findTombstone(trx, tenantId))) await writeTombstone(trx, tenantId, tenant.slug, target.manifestSha256, target.rowCounts);
    } else {
      throw new ProvisioningError('TenantNotDeletable', `tenant '${tenant.slug}' is ${tenant.status}; only a suspended tenant is deleted`, 'slug');
    }
    for (const table of TENANT_TABLES_CHILDREN_FIRST) {
      if (table === 'tenants') continue;
      let { deleted, last } = await deleteSome(trx, table, tenantId, batchSize, cursor?.table === table ? cursor.after : undefined);
      // A stale cursor (rows inserted before it): look once more from the table's first key.
      if (deleted === 0 && cursor?.table === table) ({ deleted, last } = await deleteSome(trx, table, tenantId, batchSize, undefined));
      if (deleted > 0) return { deleted, finished: false, ...(last ? { cursor: { table, after: last } } : {}) };
    }
    await markTombstoneDeleted(trx, tenantId);
    // Only the tenant row is left: the shared delete removes it and, on Citus, its lookup rows.
    return { deleted: await deleteRowsOfLockedTenant(trx, tenantId, TENANT_TABLES_CHILDREN_FIRST, lookup), finished: true };
  });
}

export interface DeletionResult {
  deletedRows: number;
  /** ISO 8601, from the tombstone. */
  deletedAt: string;
}

/**
 * Deletes every row of the tenant in batches (deleteTenantBatch until finished), calling `onBatch` with
 * the rows deleted so far (and by this batch) after each; returns the total and the tombstone's time.
 */
export async function deleteTenantData(
  knex: Knex,
  target: DeletionTarget,
  options: { batchSize?: number; deletedBefore?: number; cursor?: DeletionCursor; onBatch?: (deletedRows: number, cursor: DeletionCursor | undefined, batchRows: number) => void | Promise<void> } = {},
): Promise<DeletionResult> {
  let deletedRows = options.deletedBefore ?? 0;
  let cursor = options.cursor;
  for (;;) {
    const batch = await deleteTenantBatch(knex, target, options.batchSize, cursor);
    cursor = batch.cursor;
    deletedRows += batch.deleted;
    await options.onBatch?.(deletedRows, cursor, batch.deleted);
    if (batch.finished) break;
  }
  // The tombstone's counts, not the batches': a crashed attempt's last batches may never have been reported.
  const tombstone = (await findTombstone(knex, target.tenantId))!;
  return { deletedRows: Object.values(tombstone.row_counts).reduce((a, b) => a + b, 0), deletedAt: tombstone.deleted_at.toISOString() };
}
