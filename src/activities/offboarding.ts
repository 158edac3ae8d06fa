import { Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { OffboardingConfig } from '../config';
import { defaultExportDir } from '../config/offboarding';
import { archiveSummary, type ArchiveSummary, type DeletionProgress, type ExportPosition } from '../contracts/tenant-deletion';
import { archiveDirectory, verifyArchive } from '../db/offboarding/archive';
import { startTenantDeletionInDB, type DeletionStart } from '../db/offboarding/deletion-start';
import { deleteTenantData, DEFAULT_DELETE_BATCH_SIZE, type DeletionCursor, type DeletionResult } from '../db/offboarding/tenant-deletion';
import { DEFAULT_EXPORT_PAGE_SIZE, exportTenantArchive } from '../db/offboarding/tenant-export';
import { countOffboardingRows, lifecycleStep } from './lifecycle-step';

export interface OffboardingTarget {
  tenantId: string;
  slug: string;
}

/** The last heartbeat's details of a previous attempt of this activity, if any. */
function lastHeartbeat<T>(): T | undefined {
  return Context.current().info.heartbeatDetails as T | undefined;
}

/**
 * The offboarding activities (tenantDeletionWorkflow), bound to the shared pool and the offboarding
 * settings. The long ones heartbeat their position, and a retry (a killed worker's) resumes from the
 * last heartbeat's details.
 */
export function createOffboardingActivities(knex: Knex, settings?: OffboardingConfig) {
  const exportRoot = settings?.exportDir ?? defaultExportDir();
  const pageSize = settings?.exportPageSize ?? DEFAULT_EXPORT_PAGE_SIZE;
  const batchSize = settings?.deleteBatchSize ?? DEFAULT_DELETE_BATCH_SIZE;
  return {
    /** Suspends the tenant for its deletion (TenantNotDeletable unless active or suspended). Idempotent. */
    startTenantDeletion(input: { slug: string }): Promise<DeletionStart> {
      return lifecycleStep('startTenantDeletion', input.slug, () => startTenantDeletionInDB(knex, input), (r) => ({ tenantId: r.tenantId, wasSuspended: r.wasSuspended, resumed: r.resumed }));
    },

    /** Writes the tenant's archive to EXPORT_DIR, heartbeating its position after every page; resumes from the last heartbeat. */
    exportTenantArchive(target: OffboardingTarget): Promise<ArchiveSummary> {
      const resumeFrom = lastHeartbeat<ExportPosition>();
      return lifecycleStep(
        'exportTenantArchive',
        target.slug,
        async () => {
          const result = await exportTenantArchive(knex, { ...target, exportRoot }, { pageSize, resumeFrom, onProgress: (position) => Context.current().heartbeat(position) });
          return archiveSummary(result.directory, result.manifest, result.manifestSha256);
        },
        (r) => ({ tenantId: target.tenantId, totalRows: r.totalRows, manifestSha256: r.manifestSha256, resumed: resumeFrom !== undefined }),
      );
    },

    /** Re-hashes the archive and counts its rows against the manifest (ExportVerificationFailed otherwise). */
    verifyTenantArchive(target: OffboardingTarget): Promise<ArchiveSummary> {
      return lifecycleStep(
        'verifyTenantArchive',
        target.slug,
        async () => {
          const directory = archiveDirectory(exportRoot, target.slug, target.tenantId);
          const { manifest, manifestSha256 } = await verifyArchive(directory, target.tenantId);
          const summary = archiveSummary(directory, manifest, manifestSha256);
          // Counted once the archive is verified: a resumed export would count its first pages twice.
          countOffboardingRows('exported', summary.totalRows);
          return summary;
        },
        (r) => ({ tenantId: target.tenantId, totalRows: r.totalRows, manifestSha256: r.manifestSha256 }),
      );
    },

    /** Deletes every row of the tenant in batches (one transaction each), then its tombstone; heartbeats the rows deleted. */
    deleteTenantData(input: OffboardingTarget & { archive: ArchiveSummary }): Promise<DeletionResult> {
      const last = lastHeartbeat<DeletionProgress>();
      return lifecycleStep(
        'deleteTenantData',
        input.slug,
        () =>
          deleteTenantData(
            knex,
            { tenantId: input.tenantId, slug: input.slug, manifestSha256: input.archive.manifestSha256, rowCounts: input.archive.rows },
            {
              batchSize,
              deletedBefore: last?.deletedRows ?? 0,
              ...(last?.cursor ? { cursor: last.cursor as DeletionCursor } : {}),
              onBatch: (deletedRows, cursor, batchRows) => {
                countOffboardingRows('deleted', batchRows);
                Context.current().heartbeat({ deletedRows, ...(cursor ? { cursor } : {}) } satisfies DeletionProgress);
              },
            },
          ),
        (r) => ({ tenantId: input.tenantId, deletedRows: r.deletedRows }),
      );
    },
  };
}
