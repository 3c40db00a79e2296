import newPlugin from './alpha';
import { kubeTroubleshootPlugin as legacyPlugin } from './plugin';

describe('kube-troubleshoot frontend plugin', () => {
  it('uses the shared plugin id in both frontend systems', () => {
    expect(legacyPlugin.getId()).toBe('kube-troubleshoot');
    expect(newPlugin.pluginId).toBe('kube-troubleshoot');
    expect(newPlugin.title).toBe('Kubernetes troubleshooting');
  });
});
