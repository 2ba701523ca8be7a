import { localAuthenticator } from '../../accounts/authenticators/local.js';
import type { Config } from '../../config/schema.js';
import type { PasswordAuthenticator } from '../../core/authenticator.js';
import type { Store } from '../../core/store.js';

/** The password checker POST /hub/login asks, chosen by config `auth.authenticator`. */
export const createAuthenticator = (d: { config: Readonly<Config>; store: Store }): PasswordAuthenticator => localAuthenticator(d.store);
