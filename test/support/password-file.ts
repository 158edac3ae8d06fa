import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file holding an admin password, for create-tenant --password-file (a start without --wait needs one). */
export function passwordFile(password = 'correct horse battery staple'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-password-')), 'password');
  writeFileSync(file, password, { mode: 0o600 });
  return file;
}
