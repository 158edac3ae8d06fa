import { expandGrants, TENANT_SEED } from '../../src/contracts/tenant-seed';

describe('expandGrants', () => {
  it("expands '*' to every resource and every action", () => {
    const all = TENANT_SEED.resources.flatMap((resource) => TENANT_SEED.actions.map((action) => ({ resource, action })));
    expect(expandGrants(TENANT_SEED, { '*': ['*'] })).toEqual(all);
  });

  it('keeps only the listed actions of the listed resources, in seed order', () => {
    expect(expandGrants(TENANT_SEED, { user: ['update', 'read'], tenant: ['read'] })).toEqual([
      { resource: 'tenant', action: 'read' },
      { resource: 'user', action: 'read' },
      { resource: 'user', action: 'update' },
    ]);
  });

  it('ignores resources and actions the seed does not define', () => {
    expect(expandGrants(TENANT_SEED, { spaceship: ['read'], user: ['launch'] })).toEqual([]);
  });

  it('gives every seeded role at least one permission', () => {
    for (const role of TENANT_SEED.roles) expect([role.name, expandGrants(TENANT_SEED, role.grants).length > 0]).toEqual([role.name, true]);
  });
});
