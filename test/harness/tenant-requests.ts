import { randomBytes } from 'node:crypto';
import type { CreateTenantRequest } from '../../src/contracts/tenant-request';

/** A unique, valid provisioning request. */
export function tenantRequest(overrides: Partial<CreateTenantRequest> = {}): CreateTenantRequest {
  const suffix = randomBytes(4).toString('hex');
  return {
    tenantName: `Acme ${suffix}`,
    admin: { email: `admin-${suffix}@acme.test`, firstName: 'Ada', lastName: 'Lovelace', password: `correct horse ${suffix}` },
    ...overrides,
  };
}
