import { ConfigReader } from '@backstage/config';
import { chooseDebugTarget, offeredProfiles, readDebugConfig } from './debugConfig';

const read = (debug?: object) => readDebugConfig(new ConfigReader({ kubeTroubleshoot: debug ? { debug } : {} }));

describe('debug configuration', () => {
  it('has safe defaults: restricted only on production clusters', () => {
    const c = read();
    // A real, pullable image by default (the sandbox's tool image is the example portal's own config).
    expect(c.images).toEqual([{ name: 'busybox', image: 'docker.io/library/busybox:1.37', description: 'BusyBox: sh, ps, top, wget, nc, tar', default: true }]);
    expect(offeredProfiles(c, 'dev', false)).toEqual(['general', 'baseline', 'restricted']);
    expect(offeredProfiles(c, 'prod', true)).toEqual(['restricted']);
    expect(c).toMatchObject({ forkTtlSeconds: 3600, maxForksPerUser: 3, forkSameNode: true, startTimeoutSeconds: 60 });
  });
  it('lets admins choose profiles per cluster', () => {
    const c = read({ profiles: ['general', 'sysadmin'], clusters: { lab: { profiles: ['netadmin'] } } });
    expect(offeredProfiles(c, 'lab', true)).toEqual(['netadmin']);
    expect(offeredProfiles(c, 'dev', false)).toEqual(['general', 'sysadmin']);
  });
  it.each([
    [{ profiles: ['root'] }, 'kubeTroubleshoot.debug.profiles: "root" is not a profile; use general, baseline, restricted, netadmin, sysadmin'],
    [{ images: [] }, 'kubeTroubleshoot.debug.images must list at least one tool image'],
    [{ images: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }, 'the name "a" is used twice'],
    [{ images: [{ name: 'a', image: 'x', default: true }, { name: 'b', image: 'y', default: true }] }, 'only one image can be the default'],
    [{ forkTtlSeconds: 0 }, 'kubeTroubleshoot.debug.forkTtlSeconds must be a positive integer, got 0'],
  ])('refuses %j', (debug, message) => {
    expect(() => read(debug)).toThrow(message);
  });
  it('allows only listed images and offered profiles, naming the allowed ones', () => {
    const c = read({ images: [{ name: 'tools', image: 'registry/tools:2', default: true }, { name: 'net', image: 'registry/net:1' }] });
    expect(chooseDebugTarget(c, {}, { name: 'dev', production: false })).toMatchObject({ ok: true, image: { name: 'tools' }, profile: 'general' });
    expect(chooseDebugTarget(c, { image: 'registry/net:1', profile: 'baseline' }, { name: 'dev', production: false })).toMatchObject({ ok: true, image: { name: 'net' }, profile: 'baseline' });
    expect(chooseDebugTarget(c, { image: 'evil:latest' }, { name: 'dev', production: false })).toEqual({ ok: false, message: 'the image "evil:latest" is not allowed; use one of: tools, net' });
    expect(chooseDebugTarget(c, { profile: 'sysadmin' }, { name: 'prod', production: true })).toEqual({ ok: false, message: 'the profile "sysadmin" is not offered on cluster prod; use one of: restricted' });
  });
});
