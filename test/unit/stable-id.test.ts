import { uuidV5 } from '../../src/domain/stable-id';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('uuidV5', () => {
  it('matches the RFC 4122 version-5 test vector for www.example.com in the DNS namespace', () => {
    expect(uuidV5(DNS_NAMESPACE, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is deterministic and ignores the namespace’s letter case', () => {
    expect(uuidV5(DNS_NAMESPACE, 'role:Admin')).toBe(uuidV5(DNS_NAMESPACE.toUpperCase(), 'role:Admin'));
  });

  it('sets version 5 and the RFC 4122 variant', () => {
    expect(uuidV5(DNS_NAMESPACE, 'permission:user:read')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives different ids for different names and for different namespaces', () => {
    const otherNamespace = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
    const ids = new Set([uuidV5(DNS_NAMESPACE, 'role:Admin'), uuidV5(DNS_NAMESPACE, 'role:Member'), uuidV5(otherNamespace, 'role:Admin')]);
    expect(ids.size).toBe(3);
  });
});
