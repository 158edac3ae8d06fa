import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Knex } from 'knex';
import { ProvisioningClient } from '../client';
import type { Config } from '../config';
import { safeErrorMessage } from '../db/driver-errors';
import { connectionBudget, replicaShare, serverConnectionLimits } from '../db/connection-budget';
import { migrationStatus } from '../db/migrate';
import { stuckTenants } from '../commands/stuck-tenants';
import { dataConverter } from '../temporal/data-converter';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../temporal/payload-codec';
import { WORKFLOW_TYPE } from '../contracts/tenant-creation';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** One line: what to do about it (warn and fail only). */
  fix?: string;
  details?: Record<string, unknown>;
}

export interface TemporalTarget {
  address: string;
  namespace: string;
  connectionOptions: Parameters<typeof Connection.connect>[0];
}

export interface DoctorInputs {
  config: Config;
  /** The admin pool and the storage connection (the same Knex when storage is not separate): the caller builds them. */
  admin: Knex;
  storage: Knex;
  temporal: TemporalTarget;
  /** Worker replicas the connection budget counts, and where that number came from. */
  replicas: { count: number; from: string };
}

/**
 * How long a run record may stay `running`: its forward steps' scheduleToCloseTimeout (15 minutes each,
 * retries included; src/workflows/tenant-creation.ts) times the four steps. Past it the workflow has
 * moved on (compensating, failed) or is gone, and the record was never updated.
 */
export const RUN_RUNNING_LIMIT_MS = 4 * 15 * 60 * 1000;
const CHECK_TIMEOUT_MS = 15_000;
const BACKLOG_WARN = 100;

const pass = (id: string, summary: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'pass', summary, ...(details ? { details } : {}) });
const warn = (id: string, summary: string, fix: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'warn', summary, fix, ...(details ? { details } : {}) });
const fail = (id: string, summary: string, fix: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'fail', summary, fix, ...(details ? { details } : {}) });
const skip = (id: string, why: string): CheckResult => ({ id, status: 'skip', summary: `skipped: ${why}` });

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function guarded(id: string, fix: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const result = await within(CHECK_TIMEOUT_MS, check());
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [fail(id, safeErrorMessage(error), fix)];
  }
}

async function postgresChecks(inputs: DoctorInputs): Promise<{ results: CheckResult[]; reachable: boolean; migrated?: boolean }> {
  const { config, admin } = inputs;
  const where = `${config.db.host}:${config.db.port}/${config.db.database} as ${config.db.admin.user}`;
  let version: string;
  try {
    version = (await within(CHECK_TIMEOUT_MS, admin.raw<{ rows: Array<{ server_version: string }> }>('SHOW server_version'))).rows[0]!.server_version;
  } catch (error) {
    return {
      reachable: false,
      results: [
        fail('postgres', `cannot connect to PostgreSQL at ${where}: ${safeErrorMessage(error)}`, 'check DB_HOST, DB_PORT, DB_NAME_SERVER, DB_USER_ADMIN and its password (DB_PASSWORD_ADMIN), and that the server runs'),
      ],
    };
  }
  const results: CheckResult[] = [pass('postgres', `PostgreSQL ${version} at ${where}`, { version })];

  results.push(
    ...(await guarded('privileges', 'grant the admin role what migrate needs', async () => {
      const { rows } = await admin.raw<{ rows: Array<{ createrole: boolean; superuser: boolean; create_db: boolean }> }>(
        `SELECT r.rolcreaterole AS createrole, r.rolsuper AS superuser, has_database_privilege(current_user, current_database(), 'CREATE') AS create_db
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      const row = rows[0]!;
      const missing = [...(row.createrole || row.superuser ? [] : ['CREATEROLE']), ...(row.create_db ? [] : [`CREATE on database ${config.db.database}`])];
      if (missing.length === 0) return pass('privileges', `${config.db.admin.user} has CREATEROLE and CREATE on ${config.db.database}${row.superuser ? ' (superuser)' : ''}`);
      const fixes = [...(missing.includes('CREATEROLE') ? [`ALTER ROLE ${config.db.admin.user} CREATEROLE;`] : []), ...(row.create_db ? [] : [`GRANT CREATE ON DATABASE ${config.db.database} TO ${config.db.admin.user};`])];
      return fail('privileges', `${config.db.admin.user} lacks ${missing.join(' and ')} (migrate creates the server role and schemas)`, `as a superuser: ${fixes.join(' ')}`);
    })),
  );

  results.push(
    ...(await guarded('connection-budget', 'compare max_connections with DB_POOL_MAX x replicas', async () => {
      const limits = await serverConnectionLimits(admin);
      const { available } = limits;
      const { count, from } = inputs.replicas;
      const share = replicaShare(config);
      const pool = share.poolMax;
      const storageSeparate = share.separateStoragePool;
      // Each replica's admin pool (and its storage pool, when that is a second pool on this server), plus the migration Job's pool.
      const budget = connectionBudget(share, count);
      const arithmetic = `${count} replica(s) (${from}) x DB_POOL_MAX ${pool}${storageSeparate ? ' x 2 (separate storage pool)' : ''} + ${pool} (migration Job) = ${budget}`;
      const details = { maxConnections: limits.maxConnections, available, budget, replicas: count, replicasFrom: from, poolMax: pool, inUse: limits.inUse };
      const summary = `${arithmetic} of ${available} connections (max_connections ${limits.maxConnections} less reserved); ${limits.inUse} in use now`;
      if (budget > available) {
        const fitting = Math.max(1, Math.floor(available / (count * (storageSeparate ? 2 : 1) + 1)));
        return fail('connection-budget', `over budget: ${summary}`, `lower DB_POOL_MAX to ${fitting} or the replicas (HPA maxReplicas), raise max_connections, or put PgBouncer in front`, details);
      }
      if (budget > 0.8 * available) return warn('connection-budget', `near the limit: ${summary}`, 'leave room for other clients: lower DB_POOL_MAX or raise max_connections', details);
      return pass('connection-budget', summary, details);
    })),
  );

  results.push(
    ...(await guarded('migrations', 'run: tenant-workflows migrate', async () => {
      const status = await migrationStatus({ admin, storage: inputs.storage }, config);
      if (status.pending.length > 0) {
        return fail('migrations', `${status.pending.length} pending: ${status.pending.join(', ')} (workers wait and do not poll until they are applied)`, 'run: tenant-workflows migrate (in Kubernetes: ./deploy.sh migrate)', {
          pending: status.pending,
          current: status.current,
        });
      }
      return pass('migrations', `up to date (${status.current ?? 'none'})`, { current: status.current });
    })),
  );

  const migrated = results.at(-1)?.status === 'pass';
  if (!migrated) results.push(skip('stuck-runs', 'migrations not applied'));
  else results.push(
    ...(await guarded('stuck-runs', 'inspect with: tenant-workflows status --workflow-id <id>', async () => {
      const rows = await inputs.storage(`${config.storage.schema}.provisioning_runs`)
        .where({ status: 'running' })
        .andWhere('started_at', '<', inputs.storage.raw(`now() - make_interval(secs => ?)`, [RUN_RUNNING_LIMIT_MS / 1000]))
        .orderBy('started_at')
        .limit(20)
        .select<Array<{ workflow_id: string; started_at: Date }>>('workflow_id', 'started_at');
      if (rows.length === 0) return pass('stuck-runs', `no run record 'running' for longer than ${RUN_RUNNING_LIMIT_MS / 60_000} minutes (the steps' timeouts)`);
      return warn(
        'stuck-runs',
        `${rows.length} run record(s) 'running' past the steps' timeouts: ${rows.map((r) => `${r.workflow_id} since ${r.started_at.toISOString()}`).join(', ')}`,
        'check each with: tenant-workflows status --workflow-id <id>; a run Temporal no longer runs is cleared by: tenant-workflows cleanup <slug> --yes',
        { workflowIds: rows.map((r) => r.workflow_id) },
      );
    })),
  );
  return { results, reachable: true, migrated };
}

async function sampleDecrypts(connection: Connection, inputs: DoctorInputs): Promise<CheckResult> {
  const keys = inputs.config.temporal.payloadKeys;
  if (keys.length === 0) return fail('payload-keys', 'PAYLOAD_ENCRYPTION_KEYS is not set', 'mount the payload_encryption_keys secret file, or set PAYLOAD_ENCRYPTION_KEYS (the same keys as the workers)');
  const codec = new AesGcmPayloadCodec(keys, 'pass');
  // Every key opens what it sealed (a key of the wrong length or encoding would not).
  for (const key of keys) {
    const one = new AesGcmPayloadCodec([key]);
    await one.decode(await one.encode([defaultPayloadConverter.toPayload('doctor')]));
  }
  const { namespace } = inputs.temporal;
  const { executions } = await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query: `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${inputs.config.temporal.taskQueue.replace(/'/g, "\\'")}'` });
  const latest = executions?.[0]?.execution;
  const ids = keys.map((k) => k.id).join(', ');
  if (!latest) return pass('payload-keys', `${keys.length} key(s) (${ids}) encrypt and decrypt; no provisioning on ${inputs.config.temporal.taskQueue} to sample yet`);
  const { history } = await connection.workflowService.getWorkflowExecutionHistory({ namespace, execution: latest, maximumPageSize: 1 });
  const input = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!input) return pass('payload-keys', `${keys.length} key(s) (${ids}) encrypt and decrypt; the latest provisioning has no input to sample`);
  const encoding = Buffer.from(input.metadata?.encoding ?? []).toString();
  if (encoding !== ENCRYPTED_ENCODING) {
    return warn('payload-keys', `the input of ${latest.workflowId} is not encrypted (${encoding || 'no encoding'}): a client without our codec started it`, 'start provisionings with tenant-workflows create-tenant or a client using the payload codec (docs/payload-encryption.md)');
  }
  const keyId = Buffer.from(input.metadata?.['encryption-key-id'] ?? []).toString();
  try {
    await codec.decode([temporal.api.common.v1.Payload.create(input)]);
  } catch {
    return fail('payload-keys', `cannot decrypt the input of ${latest.workflowId} (key '${keyId}'; configured: ${ids})`, `add key '${keyId}' to PAYLOAD_ENCRYPTION_KEYS (keep the new key first); every worker, client and the codec server need the same keys`);
  }
  return pass('payload-keys', `${keys.length} key(s) (${ids}); they decrypt the input of ${latest.workflowId} (key '${keyId}')`);
}

async function temporalChecks(inputs: DoctorInputs, postgres: { reachable: boolean; migrated?: boolean }): Promise<CheckResult[]> {
  const { address, namespace } = inputs.temporal;
  const taskQueue = inputs.config.temporal.taskQueue;
  let connection: Connection;
  try {
    connection = await within(CHECK_TIMEOUT_MS, Connection.connect({ ...inputs.temporal.connectionOptions, connectTimeout: 5000 }));
    await within(CHECK_TIMEOUT_MS, connection.workflowService.getSystemInfo({}));
  } catch (error) {
    const results = [fail('temporal', `cannot reach Temporal at ${address}: ${safeErrorMessage(error)}`, 'check TEMPORAL_ADDRESS (and TEMPORAL_TLS*/TEMPORAL_API_KEY), and that the frontend runs')];
    for (const id of ['namespace', 'task-queue', 'payload-keys', 'stuck-tenants']) results.push(skip(id, 'Temporal unreachable'));
    return results;
  }
  try {
    const results: CheckResult[] = [pass('temporal', `Temporal frontend at ${address} answers`)];
    try {
      await within(CHECK_TIMEOUT_MS, connection.workflowService.describeNamespace({ namespace }));
      results.push(pass('namespace', `namespace ${namespace} exists`));
    } catch (error) {
      results.push(fail('namespace', `namespace ${namespace}: ${safeErrorMessage(error)}`, `create it (temporal operator namespace create --namespace ${namespace}) or fix TEMPORAL_NAMESPACE`));
      for (const id of ['task-queue', 'payload-keys', 'stuck-tenants']) results.push(skip(id, 'no namespace'));
      return results;
    }
    results.push(
      ...(await guarded('task-queue', `start a worker on ${taskQueue}`, async () => {
        const describe = (taskQueueType: temporal.api.enums.v1.TaskQueueType) =>
          connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, taskQueueType, includeTaskQueueStatus: true });
        const [workflows, activities] = await Promise.all([
          describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
          describe(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
        ]);
        const pollers = new Set([...(workflows.pollers ?? []), ...(activities.pollers ?? [])].map((p) => p.identity ?? ''));
        const backlog = { workflow: Number(workflows.taskQueueStatus?.backlogCountHint ?? 0), activity: Number(activities.taskQueueStatus?.backlogCountHint ?? 0) };
        const details = { pollers: [...pollers], backlog };
        const summary = `task queue ${taskQueue}: ${pollers.size} poller(s), backlog ${backlog.workflow} workflow / ${backlog.activity} activity task(s)`;
        if (pollers.size === 0) return warn('task-queue', `${summary}: no worker polls it, provisionings wait`, `start workers with TEMPORAL_TASK_QUEUE=${taskQueue} (kubectl get pods -l app.kubernetes.io/component=worker; /readyz says why one does not poll)`, details);
        if (backlog.workflow + backlog.activity > BACKLOG_WARN) return warn('task-queue', `${summary}: the workers fall behind`, 'add replicas (HPA maxReplicas, within the connection budget) or look for slow steps', details);
        return pass('task-queue', summary, details);
      })),
    );
    results.push(...(await guarded('payload-keys', 'set PAYLOAD_ENCRYPTION_KEYS to the keys the workers use', () => sampleDecrypts(connection, inputs))));
    if (!postgres.reachable || !postgres.migrated) results.push(skip('stuck-tenants', postgres.reachable ? 'migrations not applied' : 'PostgreSQL unreachable'));
    else {
      results.push(
        ...(await guarded('stuck-tenants', 'list them with: tenant-workflows status --stuck', async () => {
          const keys = inputs.config.temporal.payloadKeys;
          const client = new ProvisioningClient(new Client({ connection, namespace, ...(keys.length > 0 ? { dataConverter: dataConverter(keys) } : {}) }), taskQueue);
          const stuck = await stuckTenants(inputs.admin, client);
          if (stuck.length === 0) return pass('stuck-tenants', "no tenant 'provisioning' without a running workflow");
          return warn('stuck-tenants', `${stuck.length} tenant(s) 'provisioning' with no workflow running: ${stuck.map((t) => t.slug).join(', ')}`, 'remove each with: tenant-workflows cleanup <slug> --yes (or provision it again)', {
            slugs: stuck.map((t) => t.slug),
          });
        })),
      );
    }
    return results;
  } finally {
    await connection.close();
  }
}

/** Every check, in a stable order; none throws: a check that cannot run fails or is skipped with the reason. */
export async function runDoctorChecks(inputs: DoctorInputs): Promise<CheckResult[]> {
  const postgres = await postgresChecks(inputs);
  if (!postgres.reachable) for (const id of ['privileges', 'connection-budget', 'migrations', 'stuck-runs']) postgres.results.push(skip(id, 'PostgreSQL unreachable'));
  return [...postgres.results, ...(await temporalChecks(inputs, postgres))];
}
