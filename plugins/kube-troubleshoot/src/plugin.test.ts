import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import newPlugin, {
  kubeTroubleshootEventsEntityContent,
  kubeTroubleshootLogsEntityContent,
} from './alpha';
import {
  EntityKubeTroubleshootEventsContent,
  EntityKubeTroubleshootLogsContent,
  isKubeTroubleshootAvailable,
  kubeTroubleshootPlugin as legacyPlugin,
} from './plugin';
import { kubeTroubleshootApiRef } from './api';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
});

describe('kube-troubleshoot frontend plugin', () => {
  it('uses the shared plugin id in both frontend systems', () => {
    expect(legacyPlugin.getId()).toBe('kube-troubleshoot');
    expect(newPlugin.pluginId).toBe('kube-troubleshoot');
    expect(newPlugin.title).toBe('Kubernetes troubleshooting');
  });

  it('registers the API client in both systems', () => {
    expect([...legacyPlugin.getApis()].map(f => f.api.id)).toEqual([
      kubeTroubleshootApiRef.id,
    ]);
    expect(kubeTroubleshootApiRef.id).toBe('plugin.kube-troubleshoot.service');
  });

  it.each([
    ['entity-content:kube-troubleshoot/logs', '/logs', 'Logs'],
    ['entity-content:kube-troubleshoot/events', '/events', 'Events'],
  ])(
    'adds %s at %s titled %s, only on annotated entities',
    (id, path, title) => {
      const tester = createExtensionTester(
        newPlugin.getExtension(id as 'entity-content:kube-troubleshoot/logs'),
      );
      expect(tester.get(coreExtensionData.routePath)).toBe(path.slice(1));
      expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(title);
      const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
      expect(
        filter?.(entity({ 'backstage.io/kubernetes-id': 'payments-api' })),
      ).toBe(true);
      expect(
        filter?.(entity({ 'backstage.io/kubernetes-label-selector': 'app=a' })),
      ).toBe(true);
      expect(
        filter?.(entity({ 'backstage.io/kubernetes-namespace': 'default' })),
      ).toBe(false);
      expect(filter?.(entity({}))).toBe(false);
    },
  );

  it('exposes the extensions under the documented ids', () => {
    expect(
      newPlugin.getExtension('entity-content:kube-troubleshoot/logs'),
    ).toBeDefined();
    expect(
      newPlugin.getExtension('entity-content:kube-troubleshoot/events'),
    ).toBeDefined();
    expect(newPlugin.getExtension('api:kube-troubleshoot')).toBeDefined();
    expect(kubeTroubleshootLogsEntityContent).toBeDefined();
    expect(kubeTroubleshootEventsEntityContent).toBeDefined();
  });

  it('exports the legacy tabs and the EntitySwitch helper', () => {
    expect(EntityKubeTroubleshootLogsContent).toBeDefined();
    expect(EntityKubeTroubleshootEventsContent).toBeDefined();
    expect(
      isKubeTroubleshootAvailable(
        entity({ 'backstage.io/kubernetes-id': 'a' }),
      ),
    ).toBe(true);
    expect(isKubeTroubleshootAvailable(entity({}))).toBe(false);
  });
});
