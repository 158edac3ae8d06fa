import { invalidInput } from './errors';
import { validatePassword } from './passwords';
import type { AdminUserInput, TenantCreationInput } from './tenant-creation';
import { normalizeEmail, normalizePersonName, normalizeSlug, normalizeTenantName, slugFromName } from './validation';

/** What a caller asks for; toWorkflowInput turns it into the workflow's input. */
export interface CreateTenantRequest {
  tenantName: string;
  /** Derived from the tenant name when omitted. */
  slug?: string;
  contactEmail?: string;
  admin: AdminUserInput;
  /** Take a slug a deleted tenant had; without it such a slug is refused (SlugOfDeletedTenant). */
  reuseDeletedSlug?: boolean;
}

export interface NormalizedTenant {
  name: string;
  slug: string;
  contactEmail: string;
}

/** Validates and normalizes a tenant request; throws InvalidInput naming the field. */
export function normalizeTenantInput(input: { name: unknown; slug?: unknown; contactEmail: unknown }): NormalizedTenant {
  const name = normalizeTenantName(input.name);
  const slug = input.slug === undefined || input.slug === null ? slugFromName(name) : normalizeSlug(input.slug);
  return { name, slug, contactEmail: normalizeEmail('contactEmail', input.contactEmail) };
}

/** Validates and normalizes a request exactly as the activities will, so bad input fails before anything starts. */
export function toWorkflowInput(request: CreateTenantRequest): TenantCreationInput {
  const admin = {
    email: normalizeEmail('email', request.admin?.email),
    firstName: normalizePersonName('firstName', request.admin?.firstName),
    lastName: normalizePersonName('lastName', request.admin?.lastName),
    ...(request.admin?.password === undefined ? {} : { password: validatePassword(request.admin.password) }),
  };
  const tenant = normalizeTenantInput({ name: request.tenantName, slug: request.slug, contactEmail: request.contactEmail ?? admin.email });
  const reuse = request.reuseDeletedSlug;
  if (reuse !== undefined && typeof reuse !== 'boolean') throw invalidInput('reuseDeletedSlug', 'must be true or false when given');
  // Only when asked for: the input (and its digest) of every other request stays as it was.
  return { tenantName: tenant.name, slug: tenant.slug, contactEmail: tenant.contactEmail, admin, ...(reuse === true ? { reuseDeletedSlug: true } : {}) };
}
