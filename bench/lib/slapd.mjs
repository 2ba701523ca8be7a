// Plain JavaScript (types in slapd.d.mts), shared by test/ldap.e2e.test.ts and bench/login.mjs: the same directory for both.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free port on 127.0.0.1, asked of the kernel. */
const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
/** Why the LDAP tests cannot run here, or null. */
export const slapdMissing = () =>
  existsSync(SLAPD) && existsSync(SLAPADD) ? null : 'slapd is not installed (run scripts/install-deps.sh --test: Debian slapd and ldap-utils)';

export const BASE_DN = 'dc=nbhub,dc=test';
export const ROOT_DN = `cn=admin,${BASE_DN}`;
export const ROOT_PASSWORD = 'root-secret';
export const SERVICE_DN = `cn=hub-service,${BASE_DN}`;
export const SERVICE_PASSWORD = 'service-secret';
export const userDn = (uid) => `uid=${uid},ou=people,${BASE_DN}`;
export const groupDn = (cn) => `cn=${cn},ou=groups,${BASE_DN}`;
/** Each test user's password: `{uid}-pw`. */
export const passwordOf = (uid) => `${uid}-pw`;

const person = (uid) => `dn: ${userDn(uid)}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid}
sn: ${uid}
userPassword: ${passwordOf(uid)}
`;

/**
 * The directory: alice and bob in `staff` (groupOfNames), which is itself a member of `hub-users` (nested); alice
 * also in `hub-admins` (groupOfUniqueNames); bob in `devs` (posixGroup, memberUid); carol in no group.
 */
const LDIF = `dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
dc: nbhub
o: nbhub test

dn: ${SERVICE_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: hub-service
userPassword: ${SERVICE_PASSWORD}

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${BASE_DN}
objectClass: organizationalUnit
ou: groups

${['alice', 'bob', 'carol'].map(person).join('\n')}
dn: ${groupDn('staff')}
objectClass: groupOfNames
cn: staff
member: ${userDn('alice')}
member: ${userDn('bob')}

dn: ${groupDn('hub-users')}
objectClass: groupOfNames
cn: hub-users
member: ${groupDn('staff')}

dn: ${groupDn('hub-admins')}
objectClass: groupOfUniqueNames
cn: hub-admins
uniqueMember: ${userDn('alice')}

dn: ${groupDn('devs')}
objectClass: posixGroup
cn: devs
gidNumber: 5000
memberUid: bob
`;


const openssl = (dir, args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

const makeCerts = (dir) => {
  for (const ca of ['ca', 'other-ca']) {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=nbhub test ${ca}`]);
  }
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
};

const listening = (port) =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/**
 * A real slapd (Debian's) on free loopback ports, plain+StartTLS and ldaps, with its own slapd.conf, an mdb
 * database loaded by slapadd from the LDIF above, and a CA and server certificate made here with openssl.
 */
/** @returns {Promise<import('./slapd.d.mts').TestSlapd>} */
export const startTestSlapd = async () => {
  const missing = slapdMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-slapd-'));
  mkdirSync(join(dir, 'db'));
  makeCerts(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 16777216
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PASSWORD}
directory ${dir}/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
`,
  );
  writeFileSync(join(dir, 'data.ldif'), LDIF);
  execFileSync(SLAPADD, ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
  const [port, ldapsPort] = [await freePort(), await freePort()];
  let out = '';
  // -d stats: stays in the foreground and logs each operation (with its filter) to stderr.
  const proc = spawn(SLAPD, ['-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', 'stats'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d) => (out += d.toString()));
  proc.stderr?.on('data', (d) => (out += d.toString()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (!((await listening(port)) && (await listening(ldapsPort)))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`slapd did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    log: () => out,
    stop,
  };
};
