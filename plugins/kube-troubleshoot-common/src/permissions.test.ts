import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  kubeTroubleshootDebugCreatePermission,
  kubeTroubleshootEntityPermissions,
  kubeTroubleshootEventsReadPermission,
  kubeTroubleshootLogsReadPermission,
  kubeTroubleshootPermissions,
  kubeTroubleshootRecordingsReadPermission,
  kubeTroubleshootTerminalCreatePermission,
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

  it('makes recordings.read a basic permission', () => {
    expect(kubeTroubleshootRecordingsReadPermission).toEqual({
      type: 'basic',
      name: 'kube-troubleshoot.recordings.read',
      attributes: { action: 'read' },
    });
  });

  it('lists every permission once, all under the plugin id', () => {
    const names = kubeTroubleshootPermissions.map(p => p.name);
    expect(names).toEqual([
      'kube-troubleshoot.logs.read',
      'kube-troubleshoot.events.read',
      'kube-troubleshoot.terminal.create',
      'kube-troubleshoot.debug.create',
      'kube-troubleshoot.recordings.read',
    ]);
    expect(kubeTroubleshootEntityPermissions).toHaveLength(4);
  });
});
