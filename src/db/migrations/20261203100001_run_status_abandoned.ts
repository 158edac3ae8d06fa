import { defineMigration } from './migration';
import { RUN_STATUSES as STATUSES_BEFORE } from './20261121100001_create_provisioning_runs';

/**
 * `abandoned`: a run that ended without recording an outcome because an operator terminated or reset it.
 * The next run of the same workflow id marks it so (only one run of a workflow id runs at a time).
 */
export const RUN_STATUSES = [...STATUSES_BEFORE, 'abandoned'] as const;

const statusCheck = (statuses: readonly string[]) => `CHECK (status IN (${statuses.map((s) => `'${s}'`).join(', ')}))`;

export const runStatusAbandoned = defineMigration({
  name: '20261203100001_run_status_abandoned',
  target: 'storage',

  async up({ knex, table }) {
    await knex.raw(`ALTER TABLE ?? DROP CONSTRAINT provisioning_runs_status_check, ADD CONSTRAINT provisioning_runs_status_check ${statusCheck(RUN_STATUSES)}`, [table('provisioning_runs')]);
  },

  async down({ knex, table }) {
    // The earlier statuses cannot say `abandoned`; such a run never recorded its outcome, like a running one.
    await knex(table('provisioning_runs')).where({ status: 'abandoned' }).update({ status: 'running', completed_at: null });
    await knex.raw(`ALTER TABLE ?? DROP CONSTRAINT provisioning_runs_status_check, ADD CONSTRAINT provisioning_runs_status_check ${statusCheck(STATUSES_BEFORE)}`, [table('provisioning_runs')]);
  },
});
