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
    [kubeTroubleshootLogsReadPermission, 'kube-troubleshoot.logs.read', 'read'],
    [kubeTroubleshootEventsReadPermission, 'kube-troubleshoot.events.read', 'read'],
    [kubeTroubleshootTerminalCreatePermission, 'kube-troubleshoot.terminal.create', 'create'],
    [kubeTroubleshootDebugCreatePermission, 'kube-troubleshoot.debug.create', 'create'],
  ])('%#: %s is a catalog-entity resource permission', (permission, name, action) => {
    expect(permission).toEqual({
      type: 'resource',
      name,
      attributes: { action },
      resourceType: 'catalog-entity',
    });
    expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
  });

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
