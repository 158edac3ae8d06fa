import { defineMigration } from './migration';

export const RUN_STATUSES = ['running', 'completed', 'compensating', 'compensated', 'compensation_failed'] as const;

/**
 * One row per provisioning run, per-step details in one JSONB column:
 * {"steps": {"createTenant": {"attempt", "startedAt", "completedAt", "durationMs", "error"}, ...},
 *  "failure": {"step", "type", "message"}}. Indexed for the lookups operators run: by status, by the
 * step a run failed at, by tenant; the GIN index serves ad-hoc containment queries on the details.
 */
export const createProvisioningRuns = defineMigration({
  name: '20261121100001_create_provisioning_runs',
  target: 'storage',

  async up({ knex, schema, table, grant }) {
    await schema().createTable('provisioning_runs', (t) => {
      t.text('workflow_id').notNullable();
      t.text('run_id').notNullable();
      t.uuid('tenant');
      t.text('slug');
      t.text('status').notNullable().defaultTo('running').checkIn([...RUN_STATUSES], 'provisioning_runs_status_check');
      t.jsonb('details').notNullable().defaultTo('{"steps": {}}');
      t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('completed_at', { useTz: true });
      t.primary(['workflow_id', 'run_id']);
      t.index(['status', 'started_at'], 'provisioning_runs_status_idx');
      t.index(['tenant'], 'provisioning_runs_tenant_idx');
    });
    const runs = table('provisioning_runs');
    await knex.raw('CREATE INDEX provisioning_runs_details_gin ON ?? USING gin (details jsonb_path_ops)', [runs]);
    await knex.raw("CREATE INDEX provisioning_runs_failed_step_idx ON ?? ((details #>> '{failure,step}')) WHERE (details #>> '{failure,step}') IS NOT NULL", [runs]);
    await grant(['provisioning_runs'], 'SELECT');
  },

  async down({ schema }) {
    await schema().dropTable('provisioning_runs');
  },
});
