/**
 * Told by the API when a credential stops standing (logout, password change, token revocation, user deletion), so
 * that what was opened with it closes at once: the proxies' upgraded WebSockets. The identity cache is told
 * separately (IdentityCache.forget); this is for connections that outlive a single request.
 */
export interface CredentialRevocations {
  /** A login session ended (its id's hash, as the store keeps it). */
  revokeSession(idHash: string): void;
  /** An API token was revoked (its id). */
  revokeToken(tokenId: string): void;
  /** Every session of a user but `keepIdHash` ended (a password change keeps the session that made it). */
  revokeSessionsOf(user: string, keepIdHash?: string): void;
  /** Every credential of a user stopped standing (the user was deleted). */
  revokeUser(user: string): void;
}

/** What opened a connection: `session:{idHash}` or `token:{id}` (Identity.credential). */
export const sessionCredential = (idHash: string): string => `session:${idHash}`;
export const tokenCredential = (tokenId: string): string => `token:${tokenId}`;
/** The session id hash of a `session:` credential, else undefined. */
export const sessionOf = (credential: string | undefined): string | undefined =>
  credential?.startsWith('session:') ? credential.slice('session:'.length) : undefined;
