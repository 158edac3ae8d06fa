import { PROVISIONING_STEPS } from '../../src/contracts/tenant-creation';
import { waitFor } from '../harness/wait-for';

/** One span as both the SDK's InMemorySpanExporter and Jaeger's query API give it, reduced to what the tests assert. */
export interface TreeSpan {
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  name: string;
  attributes: Record<string, unknown>;
  /** Everything else a span carries as text (events, status message, resource): searched for secrets too. */
  otherText: string[];
}

/** The activities of a provisioning, in order, as the workflow schedules them. */
export const STEP_ACTIVITIES = ['createTenant', 'setupTenantData', 'createAdminUser', 'activateTenant'] as const;

function child(spans: TreeSpan[], parent: TreeSpan, name: string | ((span: TreeSpan) => boolean)): TreeSpan {
  const test = typeof name === 'string' ? (span: TreeSpan) => span.name === name : name;
  const found = spans.filter((span) => span.parentId === parent.spanId && test(span));
  if (found.length === 0) {
    const children = spans.filter((span) => span.parentId === parent.spanId).map((span) => span.name);
    throw new Error(`no child span ${typeof name === 'string' ? name : '(matching)'} under ${parent.name}; its children: ${children.join(', ') || 'none'}`);
  }
  return found[0]!;
}

/**
 * Asserts one provisioning's trace: ProvisionTenant (client.start, with the slug) -> StartWorkflow ->
 * RunWorkflow -> StartActivity:<step> -> RunActivity:<step> (with the slug / tenant id) -> SQL spans,
 * all in one trace; and that no span's name, attribute, event or status anywhere holds a secret.
 */
export function assertProvisioningTrace(
  spans: TreeSpan[],
  expected: { slug: string; tenantId: string; adminUserId: string; secrets: string[] },
): { traceId: string; sqlSpans: number } {
  if ([...PROVISIONING_STEPS].join() !== STEP_ACTIVITIES.join()) {
    throw new Error(`the provisioning steps changed (${PROVISIONING_STEPS.join(', ')}): update STEP_ACTIVITIES`);
  }
  const roots = spans.filter((span) => span.name === 'ProvisionTenant' && span.attributes['tenant.slug'] === expected.slug);
  expect(roots).toHaveLength(1);
  const root = roots[0]!;
  expect(root.parentId).toBeUndefined();
  expect(root.attributes).toMatchObject({ 'tenant.slug': expected.slug, temporalWorkflowId: `tenant-${expected.slug}` });
  const trace = spans.filter((span) => span.traceId === root.traceId);

  const start = child(trace, root, 'StartWorkflow:tenantCreationWorkflow');
  expect(start.attributes).toMatchObject({ temporalWorkflowId: `tenant-${expected.slug}` });
  const run = child(trace, start, 'RunWorkflow:tenantCreationWorkflow');
  let sqlSpans = 0;
  for (const step of STEP_ACTIVITIES) {
    const scheduled = child(trace, run, `StartActivity:${step}`);
    const activity = child(trace, scheduled, `RunActivity:${step}`);
    const sql = trace.filter((span) => span.parentId === activity.spanId && span.attributes['db.system'] === 'postgresql');
    expect({ step, sql: sql.length > 0 }).toEqual({ step, sql: true });
    for (const statement of sql) {
      expect(statement.attributes).toMatchObject({ 'db.operation': expect.stringMatching(/^[A-Z]+$/), 'db.statement': expect.any(String) });
    }
    sqlSpans += sql.length;
    if (step === 'createTenant') expect(activity.attributes).toMatchObject({ 'tenant.slug': expected.slug, 'tenant.id': expected.tenantId });
    else expect(activity.attributes).toMatchObject({ 'tenant.id': expected.tenantId });
    if (step === 'createAdminUser') expect(activity.attributes).toMatchObject({ 'user.id': expected.adminUserId });
  }
  // The tenant's rows are written by INSERT statements, each under its activity.
  expect(trace.some((span) => span.attributes['db.operation'] === 'INSERT')).toBe(true);

  const leaks: string[] = [];
  for (const span of spans) {
    const texts = [span.name, ...Object.values(span.attributes).map((value) => (typeof value === 'string' ? value : String(JSON.stringify(value)))), ...span.otherText];
    for (const text of texts) {
      for (const secret of [...expected.secrets, '$2b$', '$2a$', 'SCRAM-SHA-256$']) {
        if (text.toLowerCase().includes(secret.toLowerCase())) leaks.push(`${span.name}: ${secret === '$2b$' || secret === '$2a$' ? 'a bcrypt hash' : 'a secret'} in '${text.slice(0, 80)}...'`);
      }
    }
  }
  expect(leaks).toEqual([]);
  return { traceId: root.traceId, sqlSpans };
}

/**
 * Reads spans until assertProvisioningTrace holds for them (spans arrive in batches) and returns them;
 * on timeout, fails with the last assertion's message and `context()` (a collector's or worker's output).
 */
export async function waitForProvisioningTrace(
  read: () => Promise<TreeSpan[]>,
  expected: Parameters<typeof assertProvisioningTrace>[1],
  what: string,
  timeoutMs: number,
  context: () => string,
): Promise<TreeSpan[]> {
  let spans: TreeSpan[] = [];
  let lastProblem = '';
  await waitFor(
    async () => {
      spans = await read();
      try {
        assertProvisioningTrace(spans, expected);
        return true;
      } catch (error) {
        lastProblem = (error as Error).message;
        return false;
      }
    },
    what,
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}: ${lastProblem}\n${context()}`);
  });
  return spans;
}
