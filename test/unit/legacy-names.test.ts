import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readRepositoryFile, repositoryFiles, REPOSITORY_ROOT } from '../harness/repository-files';

// Spelled in two parts so this file does not match its own scan.
const LEGACY_PREFIX = ['ALGA', 'DB_'].join('_');
const MAPPING_TABLE = 'src/config/legacy.ts';

describe('legacy variable names', () => {
  it(`appear nowhere but the mapping table in ${MAPPING_TABLE}`, () => {
    const files = repositoryFiles().filter((f) => existsSync(join(REPOSITORY_ROOT, f)));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => f !== MAPPING_TABLE && readRepositoryFile(f).includes(LEGACY_PREFIX));
    expect(offenders).toEqual([]);
    expect(readRepositoryFile(MAPPING_TABLE)).toContain(LEGACY_PREFIX);
  });
});
