import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootEntityPermissions,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootPermissions,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootSessionsTerminatePermission,
  kubeTroubleshootTerminalCreatePermission,
  kubeTroubleshootTerminalWatchPermission,
} from './permissions';

describe('kube-troubleshoot permissions', () => {
  it.each([
    ['kube-troubleshoot.logs.read', 'read', kubeTroubleshootLogsReadPermission],
    [
      'kube-troubleshoot.events.read',
      'read',
      kubeTroubleshootEventsReadPermission,
    ],
    [
      'kube-troubleshoot.terminal.create',
      'create',
      kubeTroubleshootTerminalCreatePermission,
    ],
    [
      'kube-troubleshoot.debug.create',
      'create',
      kubeTroubleshootDebugCreatePermission,
    ],
    [
      'kube-troubleshoot.terminal.watch',
      'read',
      kubeTroubleshootTerminalWatchPermission,
    ],
  ])(
    '%s (%s) is a catalog-entity resource permission',
    (name, action, permission) => {
      expect(permission).toEqual({
        type: 'resource',
        name,
        attributes: { action },
        resourceType: 'catalog-entity',
      });
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    },
  );

  it('makes recordings.read and sessions.terminate basic permissions', () => {
    expect(kubeTroubleshootRecordingsReadPermission).toEqual({
      type: 'basic',
      name: 'kube-troubleshoot.recordings.read',
      attributes: { action: 'read' },
    });
    expect(kubeTroubleshootSessionsTerminatePermission).toEqual({
      type: 'basic',
      name: 'kube-troubleshoot.sessions.terminate',
      attributes: { action: 'delete' },
    });
  });

  it('lists every permission once, all under the plugin id', () => {
    const names = kubeTroubleshootPermissions.map(p => p.name);
    expect(names).toEqual([
      'kube-troubleshoot.logs.read',
      'kube-troubleshoot.events.read',
      'kube-troubleshoot.terminal.create',
      'kube-troubleshoot.debug.create',
      'kube-troubleshoot.terminal.watch',
      'kube-troubleshoot.recordings.read',
      'kube-troubleshoot.sessions.terminate',
    ]);
    expect(kubeTroubleshootEntityPermissions).toHaveLength(5);
  });
});
