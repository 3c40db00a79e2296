import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { kubeTroubleshootApiRef } from '../api';
import { FakeKubeTroubleshootApi, paymentsApi } from './fakeApi';

/**
 * Renders a tab on an entity page with a fake backend and a permission decision. usePermission
 * caches decisions in SWR's global cache: each render gets its own, so tests do not leak.
 */
export function renderTab(
  tab: ReactElement,
  api: FakeKubeTroubleshootApi,
  options: { allow?: boolean; entity?: Entity; url?: string } = {},
) {
  const permission = mockApis.permission({
    authorize:
      options.allow === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
  });
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <EntityProvider entity={options.entity ?? paymentsApi}>
        {tab}
      </EntityProvider>
    </SWRConfig>,
    {
      apis: [[kubeTroubleshootApiRef, api], permission],
      initialRouteEntries: [options.url ?? '/'],
    },
  );
}
