import { randomUUID } from 'node:crypto';
import { runCli } from '../support/run-cli';
import { useWorkerProcess } from '../harness/worker-process';

/** `status <slug>` is always a slug, even one that looks like a workflow id; `--workflow-id` takes an id as given. */
const env = { ...process.env, TEMPORAL_TASK_QUEUE: `status-lookup-${randomUUID()}`, LOG_LEVEL: 'warn' };
useWorkerProcess(env);

describe('tenant-workflows status (the real CLI)', () => {
  const slug = `tenant-${randomUUID().slice(0, 8)}`;
  const workflowId = `tenant-${slug}`;

  beforeAll(async () => {
    const created = await runCli(['create-tenant', '--name', 'Tenant Prefixed', '--slug', slug, '--email', `ops@${slug}.test`, '--first-name', 'Grace', '--last-name', 'Hopper', '--wait', '--json'], env);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
  }, 90_000);

  it(`status tenant-xxx shows the tenant whose slug is tenant-xxx (workflow tenant-tenant-xxx)`, async () => {
    const status = await runCli(['status', slug, '--json'], env);
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ found: true, workflowId, temporal: { workflowId, temporalStatus: 'COMPLETED' }, runs: [{ status: 'completed', slug }] });
    const text = await runCli(['status', ` ${slug.toUpperCase()} `], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`${workflowId}: COMPLETED`);
  });

  it('status --workflow-id tenant-tenant-xxx shows the same provisioning', async () => {
    const status = await runCli(['status', '--workflow-id', workflowId, '--json'], env);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ found: true, workflowId, temporal: { workflowId, temporalStatus: 'COMPLETED' }, runs: [{ status: 'completed', slug }] });
  });

  it('status --workflow-id tenant-xxx is the (missing) provisioning of slug xxx: exit 1', async () => {
    const status = await runCli(['status', '--workflow-id', slug], env);
    expect(status.status).toBe(1);
    expect(status.stderr.trim()).toBe(`no provisioning found for workflow '${slug}'`);
  });

  it.each([
    { label: 'a malformed slug', args: ['status', 'Bad Slug!'], code: 65, message: 'invalid input: slug may contain only a-z, 0-9 and inner hyphens' },
    { label: 'a punycode slug', args: ['status', 'xn--80ak6aa92e'], code: 65, message: 'invalid input: slug must not have hyphens as its 3rd and 4th characters' },
    { label: 'a workflow id not of a provisioning', args: ['status', '--workflow-id', 'acme'], code: 65, message: "invalid input: workflowId must start with 'tenant-'" },
    { label: 'no argument', args: ['status'], code: 64, message: 'expected either one slug or --workflow-id' },
    { label: 'a slug and --workflow-id', args: ['status', slug, '--workflow-id', workflowId], code: 64, message: 'expected either one slug or --workflow-id' },
  ])('$label: exit $code with a clear message', async ({ args, code, message }) => {
    const result = await runCli(args, env);
    expect(result.status).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});
