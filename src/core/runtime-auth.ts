/**
 * How the hub proves itself to a runtime. Jupyter runtimes run nbhub's identity provider (spawners/local/
 * jupyter-identity.ts), which reads the secret from this header only (no page template renders a request header)
 * and holds only its SHA-256; other runtimes (a profile's own `command` with {token}) read Authorization as before.
 */
export const RUNTIME_AUTH_HEADER = 'x-nbhub-auth';

/** The headers every call of the hub to a runtime carries (proxy, runtime API client, readiness probe). */
export const runtimeAuthHeaders = (secret: string): { authorization: string; 'x-nbhub-auth': string } => ({
  authorization: `token ${secret}`,
  [RUNTIME_AUTH_HEADER]: secret,
});
