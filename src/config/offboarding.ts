import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { EnvReader } from './env-reader';

/** Offboarding (tenantDeletionWorkflow): where archives go and how large its pages and batches are. */
export interface OffboardingConfig {
  /** EXPORT_DIR: archives go to <exportDir>/<slug>-<tenantId>/; a mounted volume in Kubernetes. */
  exportDir: string;
  /** EXPORT_PAGE_SIZE: rows per keyset page of the export. */
  exportPageSize: number;
  /** DELETE_BATCH_SIZE: rows per deletion batch (one transaction each). */
  deleteBatchSize: number;
}

/** Where archives go when EXPORT_DIR is unset outside production: a directory under the OS's temporary one. */
export function defaultExportDir(): string {
  return join(tmpdir(), 'tenant-workflows-exports');
}

/**
 * Reads the offboarding settings. EXPORT_DIR must be absolute; unset, archives go under the OS's temporary
 * directory, which is for development only: a deployment mounts a volume there (k8s/export-volume.yaml).
 */
export function readOffboarding(read: EnvReader): OffboardingConfig {
  const configured = read.optionalString('EXPORT_DIR');
  if (configured !== undefined && !isAbsolute(configured)) {
    read.problems.push(`EXPORT_DIR: '${configured}' is not an absolute path; set the directory archives go to, for example EXPORT_DIR=/var/lib/tenant-workflows/exports`);
  }
  return {
    exportDir: configured ?? defaultExportDir(),
    exportPageSize: read.int('EXPORT_PAGE_SIZE', 2000, 100, 50_000),
    deleteBatchSize: read.int('DELETE_BATCH_SIZE', 1000, 1, 50_000),
  };
}
