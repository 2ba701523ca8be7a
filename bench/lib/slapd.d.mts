/** Types of slapd.mjs (a real slapd for the LDAP tests and bench/login.mjs). */
export declare const SLAPD: string;
export declare const SLAPADD: string;
/** Why the LDAP tests cannot run here, or null. */
export declare const slapdMissing: () => string | null;
export declare const BASE_DN: string;
export declare const ROOT_DN: string;
export declare const ROOT_PASSWORD: string;
export declare const SERVICE_DN: string;
export declare const SERVICE_PASSWORD: string;
export declare const userDn: (uid: string) => string;
export declare const groupDn: (cn: string) => string;
/** Each test user's password: `{uid}-pw`. */
export declare const passwordOf: (uid: string) => string;
export interface TestSlapd {
  /** ldap://127.0.0.1:PORT (StartTLS offered) */
  url: string;
  /** ldaps://127.0.0.1:PORT */
  ldapsUrl: string;
  /** The CA that signed slapd's certificate, and one that did not (PEM files). */
  caFile: string;
  otherCaFile: string;
  /** slapd's log so far (loglevel stats: every connection, bind and search filter). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A real slapd (Debian's) on free loopback ports, plain+StartTLS and ldaps, with its own slapd.conf, an mdb
 * database loaded by slapadd, and a CA and server certificate made with openssl.
 */
export declare const startTestSlapd: () => Promise<TestSlapd>;
