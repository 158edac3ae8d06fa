import type { Knex } from 'knex';
import type { Config } from '../config';
import type { RunFailure } from '../contracts/run-outcome';
import type { Database } from './database';
import type { RUN_STATUSES } from './migrations/20261203100001_run_status_abandoned';

export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunKey {
  workflowId: string;
  runId: string;
}

export interface StepRecord {
  attempt: number;
  startedAt: string;
  completedAt: string;
  durationMs: number;
  error?: { type?: string; message: string };
}

export interface RunChanges {
  status?: RunStatus;
  tenant?: string;
  slug?: string;
  /** Sets completed_at: the run reached a terminal status. */
  completed?: boolean;
}

export interface ProvisioningRun extends RunKey {
  tenant: string | null;
  slug: string | null;
  status: RunStatus;
  details: { steps: Record<string, StepRecord>; failure?: RunFailure };
  startedAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

interface RunRow {
  workflow_id: string;
  run_id: string;
  tenant: string | null;
  slug: string | null;
  status: RunStatus;
  details: ProvisioningRun['details'];
  started_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/**
 * The provisioning run records in the storage schema: one row per workflow run, step details in JSONB.
 * `knex` is the storage connection; when that is the admin pool (`sharesAdminDatabase`), a step's record
 * is written inside the step's own transaction, so the record and the work commit together.
 */
export class RunRecords {
  constructor(
    readonly knex: Knex,
    readonly schema: string,
    readonly sharesAdminDatabase: boolean,
  ) {}

  private get table(): string {
    return `${this.schema}.provisioning_runs`;
  }

  /**
   * Upserts the run and sets `details.steps[step]`; one statement. The first record of a run also marks
   * the runs of its workflow id that never ended (terminated or reset by an operator) `abandoned`.
   */
  async recordStep(db: Knex | Knex.Transaction, run: RunKey, step: string, record: StepRecord, changes: RunChanges = {}): Promise<void> {
    const stepJson = JSON.stringify({ [step]: record });
    const columns = {
      ...(changes.status ? { status: changes.status } : {}),
      ...(changes.tenant ? { tenant: changes.tenant } : {}),
      ...(changes.slug ? { slug: changes.slug } : {}),
      ...(changes.completed ? { completed_at: db.fn.now() } : {}),
    };
    const [inserted] = await db(this.table)
      .insert({ workflow_id: run.workflowId, run_id: run.runId, details: JSON.stringify({ steps: { [step]: record } }), ...columns })
      .onConflict(['workflow_id', 'run_id'])
      .merge({
        // The builder cannot express a JSONB merge into a nested key.
        details: db.raw("jsonb_set(provisioning_runs.details, '{steps}', coalesce(provisioning_runs.details -> 'steps', '{}'::jsonb) || ?::jsonb)", [stepJson]),
        updated_at: db.fn.now(),
        ...columns,
      })
      // xmax is 0 on a row this statement inserted, not on one it updated.
      .returning<Array<{ inserted: boolean }>>(db.raw('(xmax = 0) AS inserted'));
    if (inserted?.inserted) await this.abandonRuns(db, run.workflowId, { exceptRunId: run.runId });
  }

  /**
   * Marks the runs of a workflow id that never ended abandoned (but `exceptRunId`, and only those started
   * before `startedBefore` when given); returns how many.
   */
  async abandonRuns(db: Knex | Knex.Transaction, workflowId: string, only: { exceptRunId?: string; startedBefore?: Date } = {}): Promise<number> {
    return db(this.table)
      .where({ workflow_id: workflowId })
      .whereIn('status', ['running', 'compensating'])
      .modify((runs) => {
        if (only.exceptRunId !== undefined) void runs.whereNot({ run_id: only.exceptRunId });
        if (only.startedBefore !== undefined) void runs.where('started_at', '<', only.startedBefore);
      })
      .update({ status: 'abandoned', updated_at: db.fn.now(), completed_at: db.fn.now() });
  }

  /** Records how a run that did not complete ended: its status and the step it failed at. */
  async recordOutcome(run: RunKey, status: RunStatus, failure: RunFailure): Promise<void> {
    await this.knex(this.table)
      .insert({ workflow_id: run.workflowId, run_id: run.runId, status, details: JSON.stringify({ steps: {}, failure }), completed_at: this.knex.fn.now() })
      .onConflict(['workflow_id', 'run_id'])
      .merge({
        status,
        details: this.knex.raw("provisioning_runs.details || jsonb_build_object('failure', ?::jsonb)", [JSON.stringify(failure)]),
        updated_at: this.knex.fn.now(),
        completed_at: this.knex.fn.now(),
      });
  }

  /** The lookups operators run, newest first; each served by an index of the provisioning_runs migration. */
  readonly lookups = {
    byStatus: (status: RunStatus, limit = 100) => this.knex(this.table).where({ status }).orderBy('started_at', 'desc').limit(limit),
    failedAt: (step: string, limit = 100) =>
      this.knex(this.table).whereRaw("(details #>> '{failure,step}') = ?", [step]).orderBy('started_at', 'desc').limit(limit),
    ofTenant: (tenant: string) => this.knex(this.table).where({ tenant }).orderBy('started_at', 'desc'),
    ofWorkflow: (workflowId: string) => this.knex(this.table).where({ workflow_id: workflowId }).orderBy('started_at', 'desc'),
  };

  /** The runs of one workflow id, newest first. */
  async runsOf(workflowId: string): Promise<ProvisioningRun[]> {
    return this.find(this.lookups.ofWorkflow(workflowId));
  }

  /** The runs one of the lookups selects. */
  async find(lookup: Knex.QueryBuilder): Promise<ProvisioningRun[]> {
    return toRuns(await lookup.select<RunRow[]>('*'));
  }

}

/** The run records, on the storage connection: the admin pool itself unless WORKFLOW_STORAGE_DB_* routes them. */
export function runRecords(config: Pick<Config, 'storage'>, database: Pick<Database, 'admin' | 'storage'>): RunRecords {
  return new RunRecords(database.storage, config.storage.schema, database.storage === database.admin);
}

function toRuns(rows: RunRow[]): ProvisioningRun[] {
  return rows.map((r) => ({
    workflowId: r.workflow_id,
    runId: r.run_id,
    tenant: r.tenant,
    slug: r.slug,
    status: r.status,
    details: r.details,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  }));
}
