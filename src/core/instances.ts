/**
 * Hub instances sharing one store (DESIGN.md idea 7): agent leases and instance heartbeats are written for
 * ¾ of `monitoring.lease_seconds` and renewed four times per lease, so another instance takes over within
 * lease_seconds of a holder's death, never while the holder still renews. One rule for agents and servers.
 */

/** How often an instance renews its heartbeat and leases. */
export const renewEveryMs = (leaseMs: number): number => Math.max(50, leaseMs / 4);

/** How long a heartbeat or lease written now holds: an instance whose heartbeat is older is gone. */
export const heldForMs = (leaseMs: number): number => Math.floor(leaseMs * 0.75);
