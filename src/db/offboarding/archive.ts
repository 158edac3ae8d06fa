import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ProvisioningError } from '../../contracts/errors';
import type { ExportManifest } from '../../contracts/tenant-deletion';
import { TENANT_TABLES } from '../tenant-tables';

/**
 * A tenant's archive on disk: EXPORT_DIR/<slug>-<tenantId>/ with one `<table>.ndjson.gz` per tenant table
 * (one JSON object per row, gzip; written as one gzip member per page, which gunzip reads as one stream)
 * and manifest.json (rows, bytes and SHA-256 of each file). The manifest is written last, so its presence
 * means the export completed.
 */
export const MANIFEST_FILE = 'manifest.json';

export function archiveDirectory(exportRoot: string, slug: string, tenantId: string): string {
  return join(exportRoot, `${slug}-${tenantId}`);
}

export function tableFileName(table: string): string {
  return `${table}.ndjson.gz`;
}

export async function ensureDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of a file's bytes and the number of lines (rows) its gunzipped content holds, read as a stream. */
export async function hashAndCountRows(path: string): Promise<{ sha256: string; rows: number; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  const input = createReadStream(path);
  input.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(input, createGunzip(), async (lines: AsyncIterable<Buffer>) => {
    for await (const chunk of lines) for (const byte of chunk) if (byte === 0x0a) rows += 1;
  });
  return { sha256: hash.digest('hex'), rows, bytes };
}

/** SHA-256 of a file's bytes, read as a stream. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Writes manifest.json atomically (a temporary file renamed over it) and returns its SHA-256. */
export async function writeManifest(directory: string, manifest: ExportManifest): Promise<string> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const temporary = join(directory, `${MANIFEST_FILE}.tmp`);
  await writeFile(temporary, text, { flush: true });
  await rename(temporary, join(directory, MANIFEST_FILE));
  return sha256Hex(text);
}

/** The archive's manifest and its SHA-256, or undefined when the export has not completed. */
export async function readManifest(directory: string): Promise<{ manifest: ExportManifest; manifestSha256: string } | undefined> {
  let text: Buffer;
  try {
    text = await readFile(join(directory, MANIFEST_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { manifest: JSON.parse(text.toString('utf8')) as ExportManifest, manifestSha256: sha256Hex(text) };
}

function verificationFailed(directory: string, problem: string): ProvisioningError {
  return new ProvisioningError('ExportVerificationFailed', `archive ${directory}: ${problem}; nothing was deleted`);
}

/**
 * Checks the archive against its manifest before anything is deleted: the manifest names this tenant,
 * has one file per tenant table, and every file re-hashes to its SHA-256 and gunzips to its row count.
 * ExportVerificationFailed otherwise.
 */
export async function verifyArchive(directory: string, tenantId: string): Promise<{ manifest: ExportManifest; manifestSha256: string }> {
  const found = await readManifest(directory);
  if (!found) throw verificationFailed(directory, `${MANIFEST_FILE} is missing`);
  const { manifest } = found;
  if (manifest.tenantId !== tenantId) throw verificationFailed(directory, `the manifest is of tenant ${manifest.tenantId}, not ${tenantId}`);
  const tables = manifest.files.map((f) => f.table).sort();
  const expected = [...TENANT_TABLES].sort();
  if (tables.join() !== expected.join()) throw verificationFailed(directory, `the manifest lists tables [${tables.join(', ')}], expected [${expected.join(', ')}]`);
  for (const file of manifest.files) {
    let actual: { sha256: string; rows: number; bytes: number };
    try {
      actual = await hashAndCountRows(join(directory, file.file));
    } catch (error) {
      throw verificationFailed(directory, `${file.file} cannot be read (${(error as Error).message})`);
    }
    if (actual.sha256 !== file.sha256) throw verificationFailed(directory, `${file.file} has SHA-256 ${actual.sha256}, the manifest says ${file.sha256}`);
    if (actual.rows !== file.rows) throw verificationFailed(directory, `${file.file} holds ${actual.rows} rows, the manifest says ${file.rows}`);
  }
  return found;
}
