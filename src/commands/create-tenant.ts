import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectProvisioningClient, toWorkflowInput, type CreateTenantRequest } from '../client';
import { getConfig } from '../config';
import { ProvisioningError } from '../contracts/errors';
import { EXIT } from '../exit-codes';
import { CommandFailure, usageFailure } from './command-failure';
import { followProvisioning, temporalUiLink } from './follow';

export const CREATE_TENANT_USAGE = `Usage: tenant-workflows create-tenant --name NAME --email EMAIL --first-name FIRST --last-name LAST
                                      [--slug SLUG] [--reuse-deleted-slug] [--contact-email EMAIL] [--password-file FILE] [--wait [--timeout SECONDS]] [--json]

Starts provisioning a tenant with its first admin user. The workflow id is tenant-<slug>: starting the
same request again while it runs attaches to the running provisioning; a different request for a slug
being provisioned exits 75 (ProvisioningInProgress) and is never shown the other request's result.
  --reuse-deleted-slug  give the tenant a slug a deleted tenant had (see deleted_tenants); without it such
                        a slug fails with SlugOfDeletedTenant (exit 73 with --wait)
  --password-file FILE  read the admin's password from FILE (never from a flag, which 'ps' would show);
                        without it a temporary password is generated, which needs --wait: it is shown
                        once, when the provisioning completes, and no command shows it later
  --wait                follow the steps until provisioning ends; if it fails, mark the step and exit
                        65 (EmailAlreadyInUse, InvalidInput), 73 (TenantAlreadyExists, SlugOfDeletedTenant) or 1
  --timeout SECONDS     with --wait: stop waiting after SECONDS (exit 75; the provisioning goes on)
  --json                machine-readable output, one JSON object on stdout (errors as {"error": {...}})`;

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ProvisioningError('InvalidInput', `--password-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'password');
  }
}

function usageError(message: string): CommandFailure {
  return usageFailure(message, CREATE_TENANT_USAGE);
}

function timeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError(`--timeout: '${value}' is not a positive number of seconds`);
  return seconds;
}

export async function createTenantCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      'reuse-deleted-slug': { type: 'boolean' },
      email: { type: 'string' },
      'contact-email': { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      'password-file': { type: 'string' },
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const missing = (['name', 'email', 'first-name', 'last-name'] as const).filter((flag) => values[flag] === undefined);
  if (missing.length > 0) throw usageError(`missing ${missing.map((f) => `--${f}`).join(', ')}`);
  if (values.timeout !== undefined && !values.wait) throw usageError('--timeout only goes with --wait');
  const timeout = timeoutSeconds(values.timeout);
  if (!values.wait && values['password-file'] === undefined) {
    // The generated password travels only in the workflow's result: without --wait nobody would see it.
    throw usageError(
      'without --password-file a temporary password is generated, and it is shown only by --wait when the provisioning completes (no command shows it later); add --wait, or give the password with --password-file',
    );
  }
  const request: CreateTenantRequest = {
    tenantName: values.name!,
    ...(values.slug === undefined ? {} : { slug: values.slug }),
    ...(values['contact-email'] === undefined ? {} : { contactEmail: values['contact-email'] }),
    ...(values['reuse-deleted-slug'] ? { reuseDeletedSlug: true } : {}),
    admin: {
      email: values.email!,
      firstName: values['first-name']!,
      lastName: values['last-name']!,
      ...(values['password-file'] ? { password: readPasswordFile(values['password-file']) } : {}),
    },
  };
  // Malformed input is refused before any connection is made.
  toWorkflowInput(request);
  const config = getConfig();
  const { client, close } = await connectProvisioningClient(config);
  try {
    const handle = await client.start(request);
    const link = temporalUiLink(config, client.client.options.namespace, handle.workflowId);
    if (!values.wait) {
      if (values.json) console.log(JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ui: link }));
      else console.log(`provisioning started: ${handle.workflowId}${link ? `\n  ${link}` : ''}`);
      return EXIT.OK;
    }
    if (!values.json) console.log(`provisioning ${handle.workflowId}${link ? `\n  ${link}` : ''}`);
    return await followProvisioning(client, handle, { json: Boolean(values.json), ui: link, timeoutMs: timeout === undefined ? undefined : timeout * 1000 });
  } finally {
    await close();
  }
}
