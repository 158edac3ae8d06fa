import type { Knex } from 'knex';

/** Test-only activities: prove a workflow's activity reaches PostgreSQL through the shared pool. */
export function createSmokeActivities(getKnex: () => Knex) {
  return {
    async countAppliedMigrations(): Promise<number> {
      const row = await getKnex()('tenant_workflows.tenant_data_migrations').count<{ count: string }[]>({ count: '*' }).first();
      return Number(row?.count);
    },
  };
}
