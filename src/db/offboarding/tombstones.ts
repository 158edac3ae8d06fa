import type { Knex } from 'knex';
import { tenantSchemaOf } from '../tenant-tables';

/**
 * deleted_tenants: one tombstone per deleted tenant (its id, slug, when, the SHA-256 of its export's
 * manifest and the rows deleted), so support can answer "what happened to acme" and a new tenant takes a
 * deleted tenant's slug only when asked to (reuseDeletedSlug).
 */
export interface Tombstone {
  tenant: string;
  slug: string;
  deleted_at: Date;
  export_manifest_sha256: string;
  row_counts: Record<string, number>;
}

const COLUMNS = ['tenant', 'slug', 'deleted_at', 'export_manifest_sha256', 'row_counts'];

const tombstones = (db: Knex) => db(`${tenantSchemaOf(db)}.deleted_tenants`);

/** The tombstone of a deleted tenant (or of one being deleted: it is written first), if any. */
export async function findTombstone(db: Knex, tenantId: string): Promise<Tombstone | undefined> {
  return tombstones(db).where({ tenant: tenantId }).first<Tombstone | undefined>(COLUMNS);
}

/** The latest tombstone of a tenant that had this slug, if any. */
export async function findTombstoneBySlug(db: Knex, slug: string): Promise<Tombstone | undefined> {
  return tombstones(db).where({ slug }).orderBy('deleted_at', 'desc').first<Tombstone | undefined>(COLUMNS);
}

/**
 * The tombstone, written when the tenant is marked `offboarding` (before any row goes) with the rows it
 * holds then, and given its final deleted_at with the tenant row's deletion: so the rows a deletion removed
 * are known exactly, whichever worker crashed between its batches. A tombstone already there is kept.
 */
export async function writeTombstone(trx: Knex.Transaction, tenantId: string, slug: string, manifestSha256: string, rowCounts: Record<string, number>): Promise<void> {
  await tombstones(trx).insert({ tenant: tenantId, slug, export_manifest_sha256: manifestSha256, row_counts: JSON.stringify(rowCounts) }).onConflict('tenant').ignore();
}

/** The tombstone's deleted_at set to now: in the transaction that deletes the tenant row. */
export async function markTombstoneDeleted(trx: Knex.Transaction, tenantId: string): Promise<void> {
  await tombstones(trx).where({ tenant: tenantId }).update({ deleted_at: trx.fn.now() });
}
