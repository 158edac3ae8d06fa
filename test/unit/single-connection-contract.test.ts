import { readRepositoryFile, repositoryFiles } from '../harness/repository-files';

const THE_ONE_POOL = 'src/db/admin.ts';
/** Runtime values of `pg` that cannot open a connection. */
const HARMLESS_PG_IMPORTS = new Set(['escapeLiteral', 'escapeIdentifier', 'DatabaseError']);
const DRIVER_MODULES = ['knex', 'pg', 'pg-pool', 'postgres', 'pg-promise'];

/**
 * Fail-closed: every import or require of a database driver is a violation unless it provably
 * cannot create a connection (type-only, or a named helper on the allow-list). Any construction
 * of a Pool or Client is a violation too, however it was imported.
 */
export function connectionViolations(source: string): string[] {
  const found: string[] = [];
  const modules = DRIVER_MODULES.map((m) => m.replace('-', '\\-')).join('|');
  const importPattern = new RegExp(String.raw`import\s+(type\s+)?([^'";]*?)\s+from\s+['"](${modules})['"]`, 'g');
  for (const match of source.matchAll(importPattern)) {
    const [statement, typeOnly, clause = '', module] = match;
    if (typeOnly) continue;
    const named = /^\{([^}]*)\}$/.exec(clause.trim());
    const allowed =
      named &&
      named[1]!
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type ') || (module === 'pg' && HARMLESS_PG_IMPORTS.has(n)));
    if (!allowed) found.push(statement);
  }
  const otherPatterns = [
    new RegExp(String.raw`require\(\s*['"](${modules})['"]\s*\)`, 'g'),
    new RegExp(String.raw`import\(\s*['"](${modules})['"]\s*\)`, 'g'),
    /new\s+(?:[\w.]+\.)?Pool\s*\(/g,
    /new\s+\w+\.Client\s*\(/g,
    /\bknex\s*\(\s*\{/g,
  ];
  for (const pattern of otherPatterns) for (const match of source.matchAll(pattern)) found.push(match[0]);
  // A bare `new Client(` is Temporal's client where that is what the file imports; anything else is suspect.
  const temporalClient = /import\s*\{[^}]*\bClient\b[^}]*\}\s*from\s*['"]@temporalio\/client['"]/.test(source);
  if (!temporalClient) for (const match of source.matchAll(/new\s+Client\s*\(/g)) found.push(match[0]);
  return found;
}

describe('one pool per process', () => {
  it('the scanner flags every way of opening a connection', () => {
    const violations = [
      "import knex from 'knex';",
      "import { knex } from 'knex';",
      "import * as pg from 'pg';",
      "import pg from 'pg';",
      "import { Pool } from 'pg';",
      "import { Client, escapeLiteral } from 'pg';",
      "const { Pool } = require('pg');",
      "const m = await import('knex');",
      'const c = new pg.Client(options);',
      'const p = new Pool();',
      'const c = new Client();',
      "const k = knex({ client: 'pg' });",
    ];
    for (const source of violations) expect(connectionViolations(source)).not.toEqual([]);
    const harmless = [
      "import { Client } from '@temporalio/client';\nconst c = new Client({ connection });","import type { Knex } from 'knex';", "import { escapeLiteral } from 'pg';", "import { type Knex } from 'knex';"];
    for (const source of harmless) expect(connectionViolations(source)).toEqual([]);
  });

  it(`nothing outside ${THE_ONE_POOL} constructs a Knex instance or a pg Pool/Client`, () => {
    const sources = repositoryFiles().filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && f !== THE_ONE_POOL && !f.startsWith('test/unit/single-connection'));
    expect(sources).toContain('src/cli.ts');
    const offenders = sources.map((f) => ({ file: f, violations: connectionViolations(readRepositoryFile(f)) })).filter((o) => o.violations.length > 0);
    expect(offenders).toEqual([]);
    expect(connectionViolations(readRepositoryFile(THE_ONE_POOL))).not.toEqual([]);
  });
});
