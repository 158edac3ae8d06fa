import { open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { requireUuid } from '../../contracts/validation';
import type { ExportManifest, ExportPosition, ManifestFile } from '../../contracts/tenant-deletion';
import { tenantTable, TENANT_TABLE_KEYS, TENANT_TABLES, type TenantTable } from '../tenant-tables';
import { archiveDirectory, ensureDirectory, hashFile, readManifest, tableFileName, writeManifest } from './archive';

export const DEFAULT_EXPORT_PAGE_SIZE = 2000;

export interface ExportTarget {
  tenantId: string;
  slug: string;
  /** EXPORT_DIR: the archive goes to <exportRoot>/<slug>-<tenantId>/. */
  exportRoot: string;
}

export interface ExportOptions {
  /** Rows per keyset page (and per gzip member). */
  pageSize?: number;
  /** Where a previous attempt stopped (its last heartbeat): finished tables are kept, the current one resumes. */
  resumeFrom?: ExportPosition;
  /** Called after every page and every finished table with the position to resume from. */
  onProgress?: (position: ExportPosition) => void | Promise<void>;
}

export interface ExportResult {
  directory: string;
  manifest: ExportManifest;
  manifestSha256: string;
}

/** The next page of a tenant's rows of `table` after `after` (its primary key after `tenant`), in key order. */
export function tenantRowsPage(db: Knex, table: TenantTable, tenantId: string, after: unknown[] | undefined, pageSize: number): Knex.QueryBuilder {
  const keys = TENANT_TABLE_KEYS[table].slice(1);
  const query = tenantTable(db, table).where({ tenant: tenantId });
  if (after && keys.length > 0) query.whereRaw(`(${keys.map(() => '??').join(', ')}) > (${keys.map(() => '?').join(', ')})`, [...keys, ...(after as Knex.Value[])]);
  return query.orderBy(keys.length > 0 ? keys : ['tenant']).limit(pageSize).select('*');
}

/** Appends one page as a gzip member and flushes it to disk; returns the bytes written. */
async function appendPage(path: string, rows: object[]): Promise<number> {
  const data = gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const handle = await open(path, 'a');
  try {
    await handle.write(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return data.length;
}

/** The file of the table being resumed cut back to what the position says is complete (or emptied). */
async function prepareTableFile(path: string, position: ExportPosition): Promise<ExportPosition> {
  const size = await stat(path).then((s) => s.size, () => -1);
  if (position.bytes > 0 && size >= position.bytes) {
    await truncate(path, position.bytes);
    return position;
  }
  // Nothing recorded, or the file is shorter than recorded (lost): this table starts over.
  if (size >= 0) await truncate(path, 0);
  return { ...position, after: undefined, rows: 0, bytes: 0 };
}

/**
 * Exports every row of the tenant, one gzip NDJSON file per tenant table written by keyset pages (ordered
 * by primary key, `pageSize` rows at a time: the tenant is never held in memory), then manifest.json.
 * Resumable: given the position of a previous attempt it keeps the finished files and continues the
 * current table after its last complete page. Idempotent: a completed archive (manifest present) is
 * returned as it is. Reads only; the tenant is suspended while it runs.
 */
export async function exportTenantArchive(knex: Knex, target: ExportTarget, options: ExportOptions = {}): Promise<ExportResult> {
  const tenantId = requireUuid('tenantId', target.tenantId);
  const pageSize = options.pageSize ?? DEFAULT_EXPORT_PAGE_SIZE;
  const directory = archiveDirectory(target.exportRoot, target.slug, tenantId);
  const existing = await readManifest(directory);
  if (existing) return { directory, ...existing };
  await ensureDirectory(directory);

  let position: ExportPosition = options.resumeFrom ?? { tableIndex: 0, rows: 0, bytes: 0, done: [] };
  while (position.tableIndex < TENANT_TABLES.length) {
    const table = TENANT_TABLES[position.tableIndex]!;
    const file = tableFileName(table);
    const path = join(directory, file);
    position = await prepareTableFile(path, position);
    const keys = TENANT_TABLE_KEYS[table];
    for (;;) {
      // A table keyed by `tenant` alone (tenants) has one row: once written (a position after it), it is done.
      if (keys.length === 1 && position.after !== undefined) break;
      const rows = (await tenantRowsPage(knex, table, tenantId, position.after, pageSize)) as Array<Record<string, unknown>>;
      if (rows.length === 0) break;
      const bytes = await appendPage(path, rows);
      const last = rows[rows.length - 1]!;
      position = { ...position, after: keys.slice(1).map((k) => last[k]), rows: position.rows + rows.length, bytes: position.bytes + bytes };
      await options.onProgress?.(position);
      if (rows.length < pageSize) break;
    }
    // An empty table still gets a file (one empty gzip member), so the archive always has one per table.
    if (position.bytes === 0) await appendPage(path, []);
    const size = (await stat(path)).size;
    const done: ManifestFile = { table, file, rows: position.rows, bytes: size, sha256: await hashFile(path) };
    position = { tableIndex: position.tableIndex + 1, rows: 0, bytes: 0, done: [...position.done, done] };
    await options.onProgress?.(position);
  }
  const manifest: ExportManifest = { tenantId, slug: target.slug, exportedAt: new Date().toISOString(), files: position.done };
  const manifestSha256 = await writeManifest(directory, manifest);
  return { directory, manifest, manifestSha256 };
}
