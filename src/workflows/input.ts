import { ApplicationFailure } from '@temporalio/workflow';
import { normalizeSlug } from '../contracts/validation';
import { UNENCRYPTED_PAYLOAD, unencryptedEncodingOf } from '../contracts/unencrypted-payload';
import { workflowIdForSlug, type TenantCreationInput } from '../contracts/tenant-creation';
import { lifecycleWorkflowIdForSlug } from '../contracts/tenant-suspension';

function invalid(field: string, problem: string): ApplicationFailure {
  return ApplicationFailure.create({ message: `${field} ${problem}`, type: 'InvalidInput', nonRetryable: true, details: [{ field }] });
}

function requireObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'is required and must be an object');
  return value as Record<string, unknown>;
}

function requireString(object: Record<string, unknown>, field: string, path = field): void {
  if (typeof object[field] !== 'string') throw invalid(path, 'is required and must be a string');
}

function optionalString(object: Record<string, unknown>, field: string, path = field): void {
  if (object[field] !== undefined && typeof object[field] !== 'string') throw invalid(path, 'must be a string when given');
}

function optionalBoolean(object: Record<string, unknown>, field: string): void {
  if (object[field] !== undefined && typeof object[field] !== 'boolean') throw invalid(field, 'must be true or false when given');
}

function rejectUnencrypted(raw: unknown): void {
  const unencrypted = unencryptedEncodingOf(raw);
  if (unencrypted !== undefined) {
    throw ApplicationFailure.create({
      message: `workflow input arrived unencrypted (encoding ${unencrypted}); start it through a client with the tenant-workflows payload codec (PAYLOAD_ENCRYPTION_KEYS, encoding binary/encrypted; see the README)`,
      type: UNENCRYPTED_PAYLOAD,
      nonRetryable: true,
    });
  }
}

function requireNormalizedSlug(slug: string): void {
  let normalized: string;
  try {
    normalized = normalizeSlug(slug);
  } catch (error) {
    throw invalid('slug', (error as Error).message.replace(/^slug /, ''));
  }
  if (normalized !== slug) throw invalid('slug', `must be given normalized ('${normalized}')`);
}

/**
 * The input of a lifecycle workflow (suspend, reactivate), checked like checkWorkflowInput's: encrypted,
 * a normalized slug, the workflow id `lifecycle-<slug>`, and the string `fields` (a suspension's reason;
 * its content is validated by the activity).
 */
export function checkLifecycleInput<T>(raw: unknown, workflowId: string, fields: readonly string[] = []): T {
  rejectUnencrypted(raw);
  const input = requireObject('input', raw);
  requireString(input, 'slug');
  for (const field of fields) requireString(input, field);
  const slug = input.slug as string;
  requireNormalizedSlug(slug);
  if (workflowId !== lifecycleWorkflowIdForSlug(slug)) throw invalid('workflowId', `must be '${lifecycleWorkflowIdForSlug(slug)}', derived from the slug`);
  return input as unknown as T;
}

/**
 * Input from any client is untrusted: the worker checks the contract before running a step. An
 * unencrypted payload (a client without our codec) fails with UnencryptedPayload; a missing field, a
 * slug that is not normalized, or a workflow id not derived from the slug fail with InvalidInput.
 * Field contents (lengths, characters, email syntax) are validated by the activities that use them.
 */
export function checkWorkflowInput(raw: unknown, workflowId: string): TenantCreationInput {
  rejectUnencrypted(raw);
  const input = requireObject('input', raw);
  requireString(input, 'tenantName');
  requireString(input, 'slug');
  optionalString(input, 'contactEmail');
  const admin = requireObject('admin', input.admin);
  for (const field of ['email', 'firstName', 'lastName']) requireString(admin, field, `admin.${field}`);
  optionalString(admin, 'password', 'admin.password');
  optionalBoolean(input, 'reuseDeletedSlug');
  const slug = input.slug as string;
  requireNormalizedSlug(slug);
  if (workflowId !== workflowIdForSlug(slug)) throw invalid('workflowId', `must be '${workflowIdForSlug(slug)}', derived from the slug`);
  return input as unknown as TenantCreationInput;
}
