import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import { kubeTroubleshootApiRef } from './KubeTroubleshootApi';
import { KubeTroubleshootClient } from './KubeTroubleshootClient';

/** How both frontend systems make the client: the same deps, the same factory. */
export const kubeTroubleshootClientFactory = {
  api: kubeTroubleshootApiRef,
  deps: {
    discoveryApi: discoveryApiRef,
    fetchApi: fetchApiRef,
    identityApi: identityApiRef,
  },
  factory: ({
    discoveryApi,
    fetchApi,
    identityApi,
  }: {
    discoveryApi: typeof discoveryApiRef.T;
    fetchApi: typeof fetchApiRef.T;
    identityApi: typeof identityApiRef.T;
  }) => new KubeTroubleshootClient({ discoveryApi, fetchApi, identityApi }),
};
