import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { countRowsByTenant, FULL_TENANT_ROWS, PROVISIONING_TABLES, type RowCounts } from '../../test/harness/tenant-rows';
import type { ProvisioningOutcome } from './load';
import { runConcurrently } from '../lib/concurrently';
import { isExpectedExit, type WorkerExit } from './worker-supervisor';

/** What a scenario leaves to check: how each provisioning ended and how each worker process ended. */
export interface ScenarioEvidence {
  outcomes: ProvisioningOutcome[];
  exits: WorkerExit[];
  /** Everything the worker processes printed. */
  workerOutput: string;
}

/** Problems found, one line each, naming tenants by slug and never showing a password or hash. */
export type Problems = string[];

/** Every workflow reached a terminal state, and (no fault here is permanent) every one completed. */
export function checkEveryWorkflowEnded(outcomes: readonly ProvisioningOutcome[]): Problems {
  const byStatus = new Map<string, string[]>();
  for (const o of outcomes) byStatus.set(o.status, [...(byStatus.get(o.status) ?? []), o.slug]);
  const ended = [...byStatus]
    .filter(([status]) => status !== 'COMPLETED')
    .map(([status, slugs]) => `${slugs.length} workflows ${status === 'RUNNING' ? 'still RUNNING at the deadline' : `ended ${status}`}: ${slugs.slice(0, 5).join(', ')}`);
  const failures = new Map<string, number>();
  for (const o of outcomes) if (o.failure) failures.set(o.failure, (failures.get(o.failure) ?? 0) + 1);
  return [...ended, ...[...failures].map(([failure, n]) => `${n} failed with ${failure}`)];
}

/** What a duplicate would look like if a retry slipped past the unique constraints: one name, email or role twice. */
const DUPLICATE_QUERIES: Record<string, (knex: Knex) => Knex.QueryBuilder> = {
  'tenants with the same name': (k) => k('tenants').select(k.raw('lower(name) as key')).groupByRaw('lower(name)').havingRaw('count(*) > 1'),
  'tenants with the same slug': (k) => k('tenants').select('slug as key').groupBy('slug').havingRaw('count(*) > 1'),
  'users with the same email': (k) => k('users').select(k.raw('lower(email) as key')).groupByRaw('lower(email)').havingRaw('count(*) > 1'),
  'roles with the same name in one tenant': (k) =>
    k('roles').select(k.raw("tenant || '/' || lower(name) as key")).groupByRaw('tenant, lower(name)').havingRaw('count(*) > 1'),
  'users holding more than one role': (k) => k('user_roles').select(k.raw("tenant || '/' || user_id as key")).groupBy('tenant', 'user_id').havingRaw('count(*) > 1'),
};

export async function findDuplicates(knex: Knex): Promise<Problems> {
  const problems: Problems = [];
  for (const [what, query] of Object.entries(DUPLICATE_QUERIES)) {
    const rows = (await query(knex)) as Array<{ key: string }>;
    if (rows.length > 0) problems.push(`${rows.length} ${what}: ${rows.slice(0, 3).map((r) => r.key).join(', ')}`);
  }
  return problems;
}

const describeCounts = (counts: RowCounts) =>
  PROVISIONING_TABLES.filter((t) => counts[t] !== FULL_TENANT_ROWS[t]).map((t) => `${t} ${counts[t]}/${FULL_TENANT_ROWS[t]}`).join(', ');

/**
 * Every tenant in the database is fully provisioned (the exact rows of FULL_TENANT_ROWS, status active)
 * or absent; a completed workflow's tenant and admin are the ones it returned; a failed one left nothing.
 */
export async function checkCompleteOrAbsent(knex: Knex, outcomes: readonly ProvisioningOutcome[]): Promise<Problems> {
  const problems: Problems = [];
  const tenants = await knex('tenants').select<Array<{ tenant: string; slug: string; status: string }>>('tenant', 'slug', 'status');
  const bySlug = new Map(tenants.map((t) => [t.slug, t]));
  const slugOf = new Map(tenants.map((t) => [t.tenant, t.slug]));
  for (const [tenant, counts] of await countRowsByTenant(knex)) {
    const slug = slugOf.get(tenant) ?? `${tenant} (no tenants row)`;
    if (describeCounts(counts) !== '') problems.push(`half-provisioned tenant ${slug}: ${describeCounts(counts)}`);
  }
  for (const t of tenants) if (t.status !== 'active') problems.push(`tenant ${t.slug} left in status ${t.status}`);
  for (const o of outcomes) {
    const tenant = bySlug.get(o.slug);
    if (o.status === 'COMPLETED' && tenant?.tenant !== o.result?.tenantId) problems.push(`completed workflow ${o.workflowId} has no tenant ${o.slug} with the id it returned`);
    if (o.status === 'FAILED' && tenant) problems.push(`failed workflow ${o.workflowId} left tenant ${o.slug} behind`);
  }
  const admins = await knex('users').whereIn('user_id', outcomes.flatMap((o) => (o.result ? [o.result.adminUserId] : []))).pluck<string[]>('user_id');
  const missing = outcomes.filter((o) => o.result && !admins.includes(o.result.adminUserId));
  if (missing.length > 0) problems.push(`${missing.length} completed workflows returned an admin user id that does not exist: ${missing[0]!.slug}, ...`);
  return problems;
}

/**
 * The temporary password each completed workflow returned opens its admin's account: a step rerun after
 * a lost result replaces the stored hash, and the workflow must deliver the password of that hash.
 */
export async function checkDeliveredPasswords(knex: Knex, outcomes: readonly ProvisioningOutcome[], concurrency = 4): Promise<Problems> {
  const delivered = outcomes.flatMap((o) => (o.result?.temporaryPassword ? [{ slug: o.slug, userId: o.result.adminUserId, password: o.result.temporaryPassword }] : []));
  const hashes = new Map(
    (await knex('users').whereIn('user_id', delivered.map((d) => d.userId)).select<Array<{ user_id: string; password_hash: string }>>('user_id', 'password_hash')).map(
      (u) => [u.user_id, u.password_hash],
    ),
  );
  const run = await runConcurrently(delivered.length, concurrency, async (i) => {
    const { userId, password } = delivered[i]!;
    const hash = hashes.get(userId);
    return hash !== undefined && (await bcrypt.compare(password, hash));
  });
  const refused = delivered.filter((_, i) => {
    const outcome = run.outcomes[i]!;
    return !outcome.ok || !outcome.value;
  });
  return refused.length === 0 ? [] : [`${refused.length} admins cannot sign in with the temporary password their workflow returned: ${refused.slice(0, 5).map((r) => r.slug).join(', ')}`];
}

const CRASH_TEXT = /error|unhandled|uncaught|exception|fatal/i;

/** Every worker process ended by our hand (SIGKILL, or SIGTERM and exit 0) and printed no crash to stderr. */
export function checkWorkerExits(exits: readonly WorkerExit[]): Problems {
  const problems: Problems = [];
  for (const exit of exits) {
    const crash = exit.strayLines.filter((line) => CRASH_TEXT.test(line));
    if (!isExpectedExit(exit)) {
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      problems.push(`worker ${exit.pid} ended with ${how}${exit.sent ? ` after our ${exit.sent}` : ' by itself'}${crash.length > 0 ? `: ${crash.slice(0, 3).join(' | ')}` : ''}`);
    } else if (crash.length > 0) {
      problems.push(`worker ${exit.pid} wrote to stderr: ${crash.slice(0, 3).join(' | ')}`);
    }
  }
  return problems;
}

/** No bcrypt hash and no delivered password in anything the workers printed. */
export function checkNoSecretsInOutput(output: string, outcomes: readonly ProvisioningOutcome[]): Problems {
  const problems: Problems = [];
  if (/\$2[aby]\$\d\d\$/.test(output)) problems.push('a bcrypt hash appeared in the worker output');
  const leaked = outcomes.filter((o) => o.result?.temporaryPassword && output.includes(o.result.temporaryPassword));
  if (leaked.length > 0) problems.push(`${leaked.length} temporary passwords appeared in the worker output`);
  return problems;
}

/** Every invariant a scenario must leave intact, by name. */
export async function checkInvariants(knex: Knex, evidence: ScenarioEvidence): Promise<Record<string, Problems>> {
  return {
    'every workflow completed': checkEveryWorkflowEnded(evidence.outcomes),
    'no duplicates': await findDuplicates(knex),
    'every tenant complete or absent': await checkCompleteOrAbsent(knex, evidence.outcomes),
    'delivered passwords work': await checkDeliveredPasswords(knex, evidence.outcomes),
    'worker died only by our hand': checkWorkerExits(evidence.exits),
    'no secrets in worker output': checkNoSecretsInOutput(evidence.workerOutput, evidence.outcomes),
  };
}
