import { labelSelectorFromSpec, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', 'backstage.io/kubernetes-id': 'payments-api' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['tier in (front, back)', true],
    ['tier notin (front)', false],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['missing!=x', true],
    ['backstage.io/kubernetes-id=payments-api', true],
    ['', true],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('rejects a malformed key with a message naming it', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(/unable to parse requirement/);
  });

  it('converts matchLabels and matchExpressions', () => {
    const reqs = labelSelectorFromSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] });
    expect(matchesLabels(reqs, labels)).toBe(true);
    expect(matchesLabels(reqs, { app: 'web' })).toBe(false);
    expect(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'Near' }] })).toThrow('Near is not a valid label selector operator');
  });
});

describe('field selectors', () => {
  const supported = ['involvedObject.name', 'reason', 'type'];
  it('matches = and !=', () => {
    const reqs = parseFieldSelector('involvedObject.name=web-1,type!=Normal', supported);
    expect(matchesFields(reqs, { 'involvedObject.name': 'web-1', type: 'Warning', reason: 'BackOff' })).toBe(true);
    expect(matchesFields(reqs, { 'involvedObject.name': 'web-1', type: 'Normal', reason: 'Started' })).toBe(false);
  });
  it('answers an unsupported field as the apiserver does', () => {
    expect(() => parseFieldSelector('spec.foo=bar', supported)).toThrow('field label not supported: spec.foo');
  });
});
