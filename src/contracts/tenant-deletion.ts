/**
 * The contract between clients and tenantDeletionWorkflow (offboarding): names, input, result, the
 * updates and query, the archive's manifest and the grace period's syntax. Pure: safe to import from the
 * workflow bundle and from clients. The workflow id is lifecycle-<slug> (see tenant-suspension), so a
 * deletion never runs beside a suspend or reactivate of the same tenant.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { invalidInput } from './errors';
import { normalizeSlug } from './validation';

export const DELETION_WORKFLOW_TYPE = 'tenantDeletionWorkflow';

/** The reason recorded on the tenant row while it is suspended for its deletion. */
export const DELETION_SUSPENSION_REASON = 'offboarding: deletion requested';

export const DEFAULT_GRACE = '30d';
/** The longest grace period accepted: a year. */
export const MAX_GRACE_MS = 366 * 24 * 3600 * 1000;

export interface TenantDeletionInput {
  /** Normalized slug; the workflow id is derived from it. */
  slug: string;
  /** How long to wait for confirmDeletion before deleting anyway, in milliseconds (0: delete after the export). */
  graceMs: number;
}

export type DeletionPhase = 'suspending' | 'exporting' | 'verifying' | 'grace' | 'cancelling' | 'cancelled' | 'deleting' | 'deleted';

/** One archive file: a table's rows of the tenant as gzip NDJSON. */
export interface ManifestFile {
  table: string;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** manifest.json of an archive. */
export interface ExportManifest {
  tenantId: string;
  slug: string;
  /** ISO 8601. */
  exportedAt: string;
  files: ManifestFile[];
}

/** What the workflow keeps of an archive (in its state and result): where it is and how to check it. */
export interface ArchiveSummary {
  directory: string;
  /** SHA-256 of manifest.json, as the tombstone records it. */
  manifestSha256: string;
  totalRows: number;
  rows: Record<string, number>;
}

export interface DeletionState {
  phase: DeletionPhase;
  slug: string;
  tenantId?: string;
  archive?: ArchiveSummary;
  /** ISO 8601: when the grace period ends (set from the grace phase on). */
  deleteAt?: string;
  /** Rows deleted so far (while deleting) or in all (deleted). */
  deletedRows?: number;
  /** Who ended the grace period: a confirmDeletion, a cancelDeletion or the timer. */
  decision?: 'confirmed' | 'cancelled' | 'grace-elapsed';
}

export interface TenantDeletionResult {
  slug: string;
  tenantId: string;
  outcome: 'deleted' | 'cancelled';
  /** The verified archive (absent when the deletion was cancelled before its export completed). */
  archive?: ArchiveSummary;
  /**
   * Rows deleted (0 when cancelled): the sum of the tombstone's row_counts, counted in the transaction that
   * marked the tenant offboarding, before any row went; exact whichever worker crashed between batches.
   */
  deletedRows: number;
  /** ISO 8601, when deleted. */
  deletedAt?: string;
}

/** Where an export stands, as its heartbeats carry it: tables done, and the position in the current one. */
export interface ExportPosition {
  /** Index into the export order of the table being written. */
  tableIndex: number;
  /** The primary-key values of the last row written to the current table's file (undefined: none yet). */
  after?: unknown[];
  /** Rows and bytes of the current table's file that are complete (the file is cut back to `bytes` on resume). */
  rows: number;
  bytes: number;
  /** The finished files. */
  done: ManifestFile[];
}

export interface DeletionProgress {
  deletedRows: number;
  /** Where the next batch starts (a table and its last key deleted): a hint, a retry without it starts at the first key. */
  cursor?: { table: string; after: unknown[] };
}

/** Ends the grace period now: the tenant is deleted. Answers with the state. */
export const confirmDeletionUpdate = defineUpdate<DeletionState>('confirmDeletion');
/** Calls the deletion off: the tenant is reactivated and the workflow ends. Answers once the tenant is active again. */
export const cancelDeletionUpdate = defineUpdate<DeletionState>('cancelDeletion');
export const getDeletionStateQuery = defineQuery<DeletionState>('getState');

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A grace period as the CLI takes it: a whole number and a unit, `30d`, `12h`, `15m`, `10s`, `500ms`. InvalidInput otherwise. */
export function parseGrace(text: unknown): number {
  const match = typeof text === 'string' ? /^\s*(\d{1,12})\s*(ms|s|m|h|d)\s*$/.exec(text) : null;
  if (!match) throw invalidInput('grace', "must be a whole number and a unit (ms, s, m, h, d), e.g. '30d' or '10s'");
  return checkGraceMs(Number(match[1]) * UNITS[match[2]!]!);
}

export function checkGraceMs(graceMs: unknown): number {
  if (typeof graceMs !== 'number' || !Number.isInteger(graceMs) || graceMs < 0 || graceMs > MAX_GRACE_MS) {
    throw invalidInput('grace', `must be a whole number of milliseconds from 0 to ${MAX_GRACE_MS} (366 days)`);
  }
  return graceMs;
}

export function toDeletionInput(request: { slug: unknown; graceMs?: unknown }): TenantDeletionInput {
  return { slug: normalizeSlug(request.slug), graceMs: checkGraceMs(request.graceMs ?? parseGrace(DEFAULT_GRACE)) };
}

/** The archive's summary from its manifest and the manifest's SHA-256. */
export function archiveSummary(directory: string, manifest: ExportManifest, manifestSha256: string): ArchiveSummary {
  const rows = Object.fromEntries(manifest.files.map((f) => [f.table, f.rows]));
  return { directory, manifestSha256, totalRows: manifest.files.reduce((sum, f) => sum + f.rows, 0), rows };
}
