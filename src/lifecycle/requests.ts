import { audit, type AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { badRequest, notFound } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { ServerRequests, StartRequest, StopRequest } from '../core/servers.js';
import { describeServer as describe } from '../core/names.js';
import { keyOf, type RecordIndex } from './record-index.js';
import type { RecordWriter } from './records.js';
import type { KeyedSerial } from './serial.js';

/** What requests need of the reconciler that carries them out. */
export interface RequestHost {
  /** This instance, as records name their owner. */
  readonly me: string;
  /** The owner a request writes: this instance, unless another live one owns the record (sharing.ts). */
  actorOf(rec: ServerRecord | undefined): string | null;
  /** A pass on the server after the request (never rejects; fire and forget). */
  kick(key: string): Promise<void>;
  /** A pass on the server now, the caller holding the server's lock. */
  passHeld(key: string): Promise<void>;
  /** Whether the server is deleted once its runtime has stopped (a removal this instance carries out). */
  removeOnStop(key: string, remove: boolean): void;
}

export interface RequestsOptions {
  index: RecordIndex;
  serial: KeyedSerial;
  records: RecordWriter;
  host: RequestHost;
  clock: Clock;
  /** Where each request is told (audit events: server_start, server_stop, server_delete). */
  log: Logger;
  /** Where audit events are stored (issue 16). */
  auditTrail?: AuditTrail | undefined;
  profiles: ReadonlySet<string>;
  defaultProfile: string;
}

/**
 * The requests (DESIGN.md idea 1): each checks what is asked against the record, under the server's lock,
 * writes the desired state and leaves the rest to a reconcile pass. A request for a server another live
 * instance owns only writes the desired state, which that owner carries out.
 */
export class Requests implements ServerRequests {
  constructor(private readonly o: RequestsOptions) {}

  requestStart(user: string, name: string, o: StartRequest): Promise<ServerRecord> {
    const key = keyOf(user, name);
    return this.o.serial.run(key, async () => {
      let rec = this.o.index.at(key);
      // A restart without a profile keeps the server's own (JupyterHub clients send an empty body).
      const profile = o.profile ?? rec?.profile ?? this.o.defaultProfile;
      if (!this.o.profiles.has(profile)) {
        throw badRequest(`Unknown profile ${JSON.stringify(profile)}; known: ${[...this.o.profiles].join(', ')}`);
      }
      if (rec?.state === 'pending') return rec;
      if (rec?.state === 'stopping') throw badRequest(`${describe(user, name)} is stopping (pending stop), please wait`);
      if (rec?.state === 'running') {
        // It may have exited since the last pass: look first.
        await this.o.host.passHeld(key);
        rec = this.o.index.at(key);
        if (rec?.state === 'running') throw badRequest(`${describe(user, name)} is already running`);
      }
      const now = this.o.clock.now();
      const next: ServerRecord = {
        ...(rec ?? newServerRecord(user, name, now)),
        owner: this.o.host.actorOf(rec),
        profile,
        desired: 'running',
        state: 'pending',
        handle: null,
        target: null,
        runtimeToken: null,
        started: now,
        ready: null,
        lastActivity: now,
        stoppedAt: null,
        stopRequestedAt: null,
        stopReason: null,
        requestedBy: o.by,
        exitStatus: null,
        logTail: null,
        message: null,
        userOptions: o.userOptions,
        removeRequested: false,
      };
      const saved = await this.o.records.save(next);
      audit(this.o, { event: 'server_start', user, server: name, profile, by: o.by });
      void this.o.host.kick(key);
      return saved;
    });
  }

  requestStop(user: string, name: string, o: StopRequest): Promise<ServerRecord | undefined> {
    const key = keyOf(user, name);
    return this.o.serial.run(key, async () => {
      const rec = this.o.index.at(key);
      if (!rec) {
        if (name === '') return undefined;
        throw notFound(`${user} has no server named '${name}'`);
      }
      if (o.onlyIf && !o.onlyIf(rec)) return rec;
      if (rec.state === 'pending') throw badRequest(`${describe(user, name)} is starting (pending spawn), please wait until it is ready`);
      if (o.remove) audit(this.o, { event: 'server_delete', user, server: name, by: o.by });
      const owner = this.o.host.actorOf(rec);
      // Another live instance owns it: a deletion is written down for it, as the rest of the request is.
      const foreign = owner !== this.o.host.me;
      if (o.remove && !foreign) this.o.host.removeOnStop(key, true);
      const removeRequested = rec.removeRequested || (foreign && o.remove === true);
      if (rec.state === 'stopping') {
        return removeRequested === rec.removeRequested ? rec : this.o.records.save({ ...rec, removeRequested });
      }
      if (rec.state === 'running') {
        const next: ServerRecord = { ...rec, owner, desired: 'stopped', state: 'stopping', stopReason: o.reason, requestedBy: o.by, stopRequestedAt: this.o.clock.now(), removeRequested };
        const saved = await this.o.records.save(next);
        audit(this.o, { event: 'server_stop', user, server: name, reason: o.reason, by: o.by });
        void this.o.host.kick(key);
        return saved;
      }
      if (o.remove) {
        // Already down: deleted now (or, another's, written down for its owner).
        this.o.host.removeOnStop(key, false);
        if (foreign) return rec.removeRequested ? rec : this.o.records.save({ ...rec, removeRequested: true, requestedBy: o.by });
        await this.o.records.remove(key, rec, o.by);
      }
      return rec;
    });
  }

  async removeUser(user: string, by: string): Promise<void> {
    const recs = this.o.index.serversOf(user);
    if (recs.some((r) => r.state === 'pending')) throw badRequest(`${user} has a server starting; try again once it is ready`);
    // Workspaces removed meanwhile (here) go because the user does: a spawner may keep them (kubernetes.delete_claims_with_user).
    await this.o.records.deletingUser(user, async () => {
      await Promise.all(recs.map((r) => this.requestStop(user, r.name, { by, reason: 'admin', remove: true })));
      await Promise.all(recs.map((r) => this.o.index.waitFor(keyOf(user, r.name), (x) => x === undefined, 30_000)));
      // Another live instance's (it did not finish in time) are left to it: their workspace is its to remove.
      for (const r of this.o.index.serversOf(user).filter((x) => x.owner === this.o.host.me)) {
        await this.o.serial.run(keyOf(user, r.name), () => this.o.records.remove(keyOf(user, r.name), r, by));
      }
    });
  }

  /** Workspaces are kept under the user's name, so a user with servers is not renamed (their files would stay behind). */
  assertRenamable(user: string): void {
    const names = this.o.index.serversOf(user).map((r) => (r.name === '' ? '(default)' : r.name));
    if (names.length > 0) throw badRequest(`${user} has servers (${names.join(', ')}) whose files are kept under that name; delete them before renaming`);
  }
}
