import type { KubeConfig} from '@kubernetes/client-node';
import { CoreV1Api, ServerConfiguration, createConfiguration, type ApiType, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';
import { classifyRequest, type RequestCounter } from './counter.js';

type ApiConstructor<T extends ApiType> = new (config: ReturnType<typeof createConfiguration>) => T;

/**
 * An API client whose every request is counted (lists and others; watches are counted by the watch).
 * client-node calls the auth method once per request, so counting there sees all of them.
 */
export const makeCountedApi = <T extends ApiType>(kc: KubeConfig, api: ApiConstructor<T>, counter: RequestCounter): T => {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const auth: SecurityAuthentication = {
    getName: () => 'nbhub-counted',
    applySecurityAuthentication: async (context: RequestContext) => {
      counter.count(classifyRequest(context.getHttpMethod(), context.getUrl()));
      await kc.applySecurityAuthentication(context);
    },
  };
  return new api(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: auth } }));
};

export const makeCoreApi = (kc: KubeConfig, counter: RequestCounter): CoreV1Api => makeCountedApi(kc, CoreV1Api, counter);
