import { ConfigReader } from '@backstage/config';
import { replicaUrl } from './replicaUrl';

const nics = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [{ address: 'fd00::2', family: 'IPv6', internal: false }, { address: '10.1.2.3', family: 'IPv4', internal: false }],
} as unknown as ReturnType<typeof import('node:os').networkInterfaces>;

describe('replicaUrl', () => {
  it.each([
    [{}, 'http://10.1.2.3:7007'],
    [{ backend: { listen: { port: 7100 } } }, 'http://10.1.2.3:7100'],
    [{ backend: { listen: { host: '127.0.0.1', port: 7100 } } }, 'http://127.0.0.1:7100'],
    [{ backend: { listen: { host: '0.0.0.0', port: 7100 } } }, 'http://10.1.2.3:7100'],
    [{ backend: { listen: ':7200' } }, 'http://10.1.2.3:7200'],
    [{ backend: { listen: '127.0.0.2:7300' } }, 'http://127.0.0.2:7300'],
    [{ backend: { listen: { host: '::1', port: 7007 } } }, 'http://[::1]:7007'],
    [{ backend: { https: { certificate: { cert: 'x', key: 'y' } }, listen: { port: 7443 } } }, 'https://10.1.2.3:7443'],
    [{ kubeTroubleshoot: { sessions: { replicaUrl: 'http://10.9.9.9:7007/ignored/path' } } }, 'http://10.9.9.9:7007'],
  ])('%j -> %s', (config, url) => {
    expect(replicaUrl(new ConfigReader(config), nics)).toBe(url);
  });

  it('falls back to the loopback without an outside address', () => {
    expect(replicaUrl(new ConfigReader({}), { lo: nics.lo })).toBe('http://127.0.0.1:7007');
  });

  it('refuses a replicaUrl that is not an http(s) URL, naming the key', () => {
    expect(() => replicaUrl(new ConfigReader({ kubeTroubleshoot: { sessions: { replicaUrl: 'pod-ip:7007' } } }))).toThrow(/kubeTroubleshoot.sessions.replicaUrl/);
    expect(() => replicaUrl(new ConfigReader({ kubeTroubleshoot: { sessions: { replicaUrl: 'ftp://x' } } }))).toThrow(/http: or https:/);
  });
});
