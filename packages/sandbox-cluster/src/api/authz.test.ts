import { BUILTIN_IDENTITIES, isAllowed, TokenRegistry } from './authz';

describe('token rules', () => {
  const attrs = (verb: string, resource: string, subresource?: string) => ({ verb, group: '', resource, subresource, namespace: 'default' });
  it.each([
    ['admin', 'create', 'pods', 'exec', true],
    ['readonly', 'get', 'pods', 'log', true],
    ['readonly', 'list', 'events', undefined, true],
    ['readonly', 'create', 'pods', undefined, false],
    ['readonly', 'create', 'pods', 'exec', false],
    ['nologs', 'get', 'pods', undefined, true],
    ['nologs', 'get', 'pods', 'log', false],
  ] as const)('%s may %s %s/%s: %s', (who, verb, resource, sub, expected) => {
    expect(isAllowed(BUILTIN_IDENTITIES[who], attrs(verb, resource, sub))).toBe(expected);
  });
  it('authenticates bearer tokens only', () => {
    const reg = new TokenRegistry();
    const token = reg.add(BUILTIN_IDENTITIES.admin);
    expect(reg.authenticate(`Bearer ${token}`)).toBe(BUILTIN_IDENTITIES.admin);
    expect(reg.authenticate(`Basic ${token}`)).toBeUndefined();
    expect(reg.authenticate('Bearer wrong')).toBeUndefined();
    expect(reg.authenticate(undefined)).toBeUndefined();
  });
});
