import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The class jupyter_server runtimes run with (`--ServerApp.identity_provider_class`), from IDENTITY_MODULE. */
export const HUB_IDENTITY_PROVIDER = 'nbhub_identity.HubIdentityProvider';

/**
 * As jupyterhub-singleuser's identity provider: the runtime accepts a request only when it carries the hub's
 * secret in X-Nbhub-Auth (a header no page renders), compared in constant time with the SHA-256 it was given in
 * NBHUB_AUTH_SHA256; its own token is empty, so no page prints one (`data-jupyter-api-token`, page_config's `token`,
 * `?token=` links), and what its environment, pages or `ps` show is of no use without the hub. A request it refuses
 * gets 403 (there is no login page: people log in at the hub). Such a request counts as token-authenticated, as the
 * hub's token did before: the hub has already checked the origin and XSRF of what it forwards.
 */
export const IDENTITY_MODULE = `# Written by nbhub (spawners/local/jupyter-identity.ts): the hub's identity provider for jupyter_server.
import hashlib
import hmac
import os

from jupyter_server.auth.identity import IdentityProvider, User
from traitlets import default

HEADER = "X-Nbhub-Auth"


class HubIdentityProvider(IdentityProvider):
    @default("token")
    def _token_default(self):
        return ""

    @default("need_token")
    def _need_token_default(self):
        return False

    def get_user(self, handler):
        expected = os.environ.get("NBHUB_AUTH_SHA256", "")
        sent = handler.request.headers.get(HEADER, "")
        if not expected or not sent:
            return None
        if not hmac.compare_digest(hashlib.sha256(sent.encode("utf-8")).hexdigest(), expected):
            return None
        handler._token_authenticated = True
        name = os.environ.get("NBHUB_RUNTIME", "nbhub/").split("/", 1)[0] or "nbhub"
        return User(username=name, name=name, display_name=name)

    @property
    def auth_enabled(self):
        return True

    @property
    def login_available(self):
        return False

    @property
    def logout_available(self):
        return False

    def get_handlers(self):
        return []

    def process_login_form(self, handler):
        return None
`;

/** Writes the module into `dir` (put on the runtime's PYTHONPATH); returns `dir`. */
export const writeIdentityModule = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nbhub_identity.py'), IDENTITY_MODULE);
  return dir;
};
