import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { verifyArchive } from '../../src/db/offboarding/archive';
import { startTenantDeletionInDB } from '../../src/db/offboarding/deletion-start';
import { deleteTenantData, DEFAULT_DELETE_BATCH_SIZE } from '../../src/db/offboarding/tenant-deletion';
import { DEFAULT_EXPORT_PAGE_SIZE, exportTenantArchive } from '../../src/db/offboarding/tenant-export';
import { provisionTenantOfSize } from '../../test/harness/bulk-tenant';
import { round } from '../lib/stats';

/** One tenant size: how fast its export, verification and deletion ran, and the RSS the export took. */
export interface OffboardingSizeResult {
  rows: number;
  export: { ms: number; rowsPerSecond: number; archiveBytes: number };
  verify: { ms: number; rowsPerSecond: number };
  delete: { ms: number; rowsPerSecond: number };
  /** RSS of this process (it runs the export) before the export and its peak during it, sampled every 10 ms. */
  rssMiB: { before: number; peakDuringExport: number };
}

export interface OffboardingPhaseResult {
  pageSize: number;
  batchSize: number;
  sizes: OffboardingSizeResult[];
}

const mib = (bytes: number) => round(bytes / 1024 / 1024);

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** A suspended tenant holding about `rows` rows, as offboarding's first step leaves it. */
async function tenantOfSize(knex: Knex, rows: number, index: number) {
  const tenant = await provisionTenantOfSize(knex, rows, `bench-${index}`, 10);
  await startTenantDeletionInDB(knex, { slug: tenant.slug });
  return tenant;
}

/**
 * Offboarding's operations called directly (no Temporal) on tenants of the given sizes: export (keyset
 * pages to gzip NDJSON), verification (re-hash and count) and batched deletion, in rows per second, and
 * this process's peak RSS during the export, which stays flat as the tenant grows when nothing holds it.
 */
export async function runOffboardingPhase(knex: Knex, sizes: readonly number[]): Promise<OffboardingPhaseResult> {
  const exportRoot = mkdtempSync(join(tmpdir(), 'offboarding-bench-'));
  const results: OffboardingSizeResult[] = [];
  try {
    for (const [index, size] of sizes.entries()) {
      const tenant = await tenantOfSize(knex, size, index);
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
      const exported = await timed(() => exportTenantArchive(knex, { tenantId: tenant.tenantId, slug: tenant.slug, exportRoot }));
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const verified = await timed(() => verifyArchive(exported.value.directory, tenant.tenantId));
      const rowCounts = Object.fromEntries(exported.value.manifest.files.map((f) => [f.table, f.rows]));
      const deleted = await timed(() => deleteTenantData(knex, { tenantId: tenant.tenantId, slug: tenant.slug, manifestSha256: verified.value.manifestSha256, rowCounts }));
      const rate = (ms: number) => round((tenant.total / ms) * 1000);
      results.push({
        rows: tenant.total,
        export: { ms: round(exported.ms), rowsPerSecond: rate(exported.ms), archiveBytes: exported.value.manifest.files.reduce((sum, f) => sum + f.bytes, 0) },
        verify: { ms: round(verified.ms), rowsPerSecond: rate(verified.ms) },
        delete: { ms: round(deleted.ms), rowsPerSecond: rate(deleted.ms) },
        rssMiB: { before: mib(before), peakDuringExport: mib(peak) },
      });
      console.error(`offboarding: ${tenant.total} rows exported, verified and deleted`);
    }
  } finally {
    rmSync(exportRoot, { recursive: true, force: true });
  }
  return { pageSize: DEFAULT_EXPORT_PAGE_SIZE, batchSize: DEFAULT_DELETE_BATCH_SIZE, sizes: results };
}

export function formatOffboarding(r: OffboardingPhaseResult): string[] {
  const pad = (cells: Array<string | number>) => cells.map((c, i) => (i === 0 ? String(c).padEnd(22) : String(c).padStart(13))).join(' ');
  return [
    `offboarding (operations called directly; export page ${r.pageSize} rows, delete batch ${r.batchSize} rows):`,
    pad(['rows', 'export rows/s', 'verify rows/s', 'delete rows/s', 'archive', 'RSS before', 'RSS peak']),
    ...r.sizes.map((s) => pad([s.rows, s.export.rowsPerSecond, s.verify.rowsPerSecond, s.delete.rowsPerSecond, `${mib(s.export.archiveBytes)} MiB`, `${s.rssMiB.before} MiB`, `${s.rssMiB.peakDuringExport} MiB`])),
  ];
}
