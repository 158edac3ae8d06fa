import type { Knex } from 'knex';
import type { TenantDeletionResult } from '../../src/contracts/tenant-deletion';
import { verifyArchive } from '../../src/db/offboarding/archive';
import { findTombstone } from '../../src/db/offboarding/tombstones';
import { RETAINED_AFTER_DELETION } from '../../src/db/tenant-tables';
import { catalogTenantTables, tenantRowsLeft } from '../../test/harness/tenant-catalog';
import { countRowsByTenant, type RowCounts } from '../../test/harness/tenant-rows';
import type { Problems } from './checks';

/** What an offboarding run leaves to check: the tenant, what it held, every other tenant's rows before, how the workflow ended. */
export interface OffboardingEvidence {
  tenantId: string;
  seeded: RowCounts;
  othersBefore: Map<string, RowCounts>;
  result?: TenantDeletionResult;
  failure?: string;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
/** Row counts compared table by table, whatever the key order (jsonb reorders keys). */
const differs = (a: Record<string, number>, b: Record<string, number>) => JSON.stringify(Object.entries(a).sort()) !== JSON.stringify(Object.entries(b).sort());

/** No row of the tenant in any table with a `tenant` column (read from the catalog) but the tombstones; its tombstone written. */
async function checkNothingLeft(knex: Knex, { tenantId, seeded, result }: OffboardingEvidence): Promise<Problems> {
  const tables = (await catalogTenantTables(knex)).filter((t) => !(RETAINED_AFTER_DELETION as readonly string[]).includes(t));
  const left = await tenantRowsLeft(knex, tenantId, tables);
  const tombstone = await findTombstone(knex, tenantId);
  return [
    ...Object.entries(left).map(([table, rows]) => `${rows} rows of the tenant left in ${table}`),
    ...(tombstone ? [] : ['no tombstone in deleted_tenants']),
    ...(tombstone && differs(tombstone.row_counts, seeded) ? [`the tombstone's row_counts ${JSON.stringify(tombstone.row_counts)} are not the seeded ${JSON.stringify(seeded)}`] : []),
    ...(tombstone && result?.archive && tombstone.export_manifest_sha256 !== result.archive.manifestSha256 ? ["the tombstone's manifest SHA-256 is not the archive's"] : []),
  ];
}

/** Every other tenant holds exactly the rows it held before the deletion started. */
async function checkOthersUntouched(knex: Knex, { tenantId, othersBefore }: OffboardingEvidence): Promise<Problems> {
  const after = await countRowsByTenant(knex);
  after.delete(tenantId);
  const changed = [...new Set([...othersBefore.keys(), ...after.keys()])].filter((t) => differs(othersBefore.get(t) ?? {}, after.get(t) ?? {}));
  return changed.map((t) => `tenant ${t}: ${JSON.stringify(othersBefore.get(t) ?? {})} before, ${JSON.stringify(after.get(t) ?? {})} after`);
}

/** The manifest's row counts are what was seeded, and every file re-hashes to its SHA-256 and holds its rows (verifyArchive). */
async function checkArchive({ tenantId, seeded, result }: OffboardingEvidence): Promise<Problems> {
  if (!result?.archive) return ['no archive in the result'];
  try {
    const { manifest, manifestSha256 } = await verifyArchive(result.archive.directory, tenantId);
    const rows = Object.fromEntries(manifest.files.map((f) => [f.table, f.rows]));
    return [
      ...(differs(rows, seeded) ? [`the manifest's rows ${JSON.stringify(rows)} are not the seeded ${JSON.stringify(seeded)}`] : []),
      ...(manifestSha256 !== result.archive.manifestSha256 ? ["the manifest's SHA-256 is not the one the workflow returned"] : []),
    ];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Every invariant an offboarding under faults must leave intact, by name. */
export async function checkOffboarded(knex: Knex, evidence: OffboardingEvidence): Promise<Record<string, Problems>> {
  const { result, failure, seeded } = evidence;
  return {
    'the deletion completed': result?.outcome === 'deleted' ? [] : [failure ? `the workflow failed: ${failure}` : `the workflow ended ${result?.outcome ?? 'not at all before the deadline'}`],
    'nothing of the tenant left': await checkNothingLeft(knex, evidence),
    'other tenants untouched': await checkOthersUntouched(knex, evidence),
    'archive complete and verified': await checkArchive(evidence),
    'deletedRows exact': result && result.deletedRows !== sum(seeded) ? [`deletedRows ${result.deletedRows}, the tenant held ${sum(seeded)}`] : [],
  };
}
