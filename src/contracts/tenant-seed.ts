/**
 * What every new tenant starts with: roles, the permission matrix (resource x action), which role
 * holds which permissions, and default settings. Data only; setupTenantDataInDB writes it.
 */
export const TENANT_SEED = {
  resources: ['tenant', 'settings', 'user', 'role', 'billing', 'audit_log'],
  actions: ['read', 'create', 'update', 'delete'],
  roles: [
    { name: 'Admin', description: 'Full access to the tenant', grants: { '*': ['*'] } },
    {
      name: 'Manager',
      description: 'Manages users and settings',
      grants: { tenant: ['read'], settings: ['read', 'update'], user: ['read', 'create', 'update'], role: ['read'], billing: ['read'] },
    },
    { name: 'Member', description: 'Uses the product', grants: { tenant: ['read'], user: ['read'] } },
  ],
  settings: {
    locale: 'en-US',
    timezone: 'UTC',
    mfa_required: false,
    session_timeout_minutes: 480,
  },
} as const;

/** The role the admin user created during provisioning is given. */
export const ADMIN_ROLE = 'Admin';

export type TenantSeed = typeof TENANT_SEED;
type Grants = Readonly<Record<string, readonly string[]>>;

/** Expands a role's grants ('*' means every resource or action) into resource/action pairs. */
export function expandGrants(seed: TenantSeed, grants: Grants): Array<{ resource: string; action: string }> {
  const pairs: Array<{ resource: string; action: string }> = [];
  for (const resource of seed.resources) {
    const actions = grants[resource] ?? grants['*'] ?? [];
    for (const action of seed.actions) if (actions.includes('*') || actions.includes(action)) pairs.push({ resource, action });
  }
  return pairs;
}
