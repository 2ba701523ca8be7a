/** Paths served outside the API framework (the proxy), added so the document covers every route. */
export const proxyPaths = {
  '/user/{name}/{path}': {
    parameters: [
      { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: 'Anything under the runtime, HTTP or WebSocket' },
    ],
    get: {
      summary: "Proxy to the user's default server (owner or admin; session cookie or API token)",
      responses: {
        '2XX': { description: "The runtime's answer" },
        '302': { description: 'Not logged in (browser): redirect to /hub/login' },
        '401': { description: 'No credentials' },
        '403': { description: 'Not the owner, or a cross-origin write' },
        '503': { description: 'Server not running: JSON for API clients, a page offering to start it for browsers' },
      },
    },
  },
  '/user/{name}/{server}/{path}': {
    parameters: [
      { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'server', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'path', in: 'path', required: true, schema: { type: 'string' } },
    ],
    get: { summary: 'Proxy to a named server (same rules; all methods and WebSocket)', responses: { '2XX': { description: "The runtime's answer" } } },
  },
  '/services/{name}/{path}': {
    parameters: [
      { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'A service of the config key services' },
      { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: 'Anything under the service, HTTP or WebSocket; passed on with the /services/{name}/ prefix' },
    ],
    get: {
      summary: 'Proxy to a service (any logged-in user or API token, a service\'s included; no hub cookie, Authorization or ?token= passed on)',
      responses: {
        '2XX': { description: "The service's answer" },
        '302': { description: 'Not logged in (browser): redirect to /hub/login' },
        '401': { description: 'No credentials' },
        '403': { description: 'A cross-origin write carried by the session cookie' },
        '404': { description: 'No such service, or a service without a URL' },
        '503': { description: 'The service is down: a managed service not running (being started again), or one that did not answer' },
      },
    },
  },
};
