import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connectProvisioningClient, ProvisioningInProgressError, type CreateTenantRequest } from '../client';
import { getConfig } from '../config';
import { ProvisioningError } from '../db/errors';
import { EXIT } from '../exit-codes';
import { followProvisioning, temporalUiLink } from './follow';

export const CREATE_TENANT_USAGE = `Usage: tenant-workflows create-tenant --name NAME --email EMAIL --first-name FIRST --last-name LAST
                                      [--slug SLUG] [--contact-email EMAIL] [--password-file FILE] [--wait] [--json]

Starts provisioning a tenant with its first admin user. The workflow id is tenant-<slug>: starting the
same request again while it runs attaches to the running provisioning; a different request for a slug
being provisioned exits 75 (ProvisioningInProgress) and is never shown the other request's result.
  --password-file FILE  read the admin's password from FILE (never from a flag, which 'ps' would show);
                        without it a temporary password is generated and shown once with --wait
  --wait                follow the steps until provisioning ends; exit 1 if it fails
  --json                machine-readable output`;

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ProvisioningError('InvalidInput', `--password-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'password');
  }
}

export async function createTenantCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      email: { type: 'string' },
      'contact-email': { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      'password-file': { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const missing = (['name', 'email', 'first-name', 'last-name'] as const).filter((flag) => values[flag] === undefined);
  if (missing.length > 0) {
    console.error(`missing ${missing.map((f) => `--${f}`).join(', ')}\n\n${CREATE_TENANT_USAGE}`);
    return EXIT.USAGE;
  }
  const config = getConfig();
  let request: CreateTenantRequest;
  try {
    request = {
      tenantName: values.name!,
      ...(values.slug === undefined ? {} : { slug: values.slug }),
      ...(values['contact-email'] === undefined ? {} : { contactEmail: values['contact-email'] }),
      admin: {
        email: values.email!,
        firstName: values['first-name']!,
        lastName: values['last-name']!,
        ...(values['password-file'] ? { password: readPasswordFile(values['password-file']) } : {}),
      },
    };
  } catch (error) {
    console.error(`invalid input: ${(error as Error).message}`);
    return EXIT.DATA_ERROR;
  }

  const { client, close } = await connectProvisioningClient(config);
  try {
    let handle;
    try {
      handle = await client.start(request);
    } catch (error) {
      if (error instanceof ProvisioningError) {
        console.error(`invalid input: ${error.message}`);
        return EXIT.DATA_ERROR;
      }
      if (error instanceof ProvisioningInProgressError) {
        console.error(error.message);
        return EXIT.TEMP_FAILURE;
      }
      throw error;
    }
    const link = temporalUiLink(config, client.client.options.namespace, handle.workflowId);
    if (!values.wait) {
      if (values.json) console.log(JSON.stringify({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, ui: link }));
      else console.log(`provisioning started: ${handle.workflowId}${link ? `\n  ${link}` : ''}`);
      return 0;
    }
    if (!values.json) console.log(`provisioning ${handle.workflowId}${link ? `\n  ${link}` : ''}`);
    return await followProvisioning(handle, { json: Boolean(values.json), ui: link });
  } finally {
    await close();
  }
}
