import { derivedWarnSeconds, type CullingConfig, type CullingOverride } from '../config/culling-schema.js';

/** The culling rules that apply to one server, in milliseconds (0: off). */
export interface CullPolicy {
  enabled: boolean;
  idleTimeoutMs: number;
  maxAgeMs: number;
  spareBusy: boolean;
  busyCpuCores: number;
  kernelIdleTimeoutMs: number;
  warnMs: number;
}

export type PolicyFor = (user: string, profile: string) => CullPolicy;

/**
 * Resolves the policy of a server from the global keys, its profile's overrides and the exempt users.
 * Computed once per profile: the config is frozen.
 */
export const policies = (culling: CullingConfig, profiles: Readonly<Record<string, { culling: CullingOverride }>>): PolicyFor => {
  const exempt = new Set(culling.exempt_users);
  const cache = new Map<string, CullPolicy>();
  const ofProfile = (profile: string): CullPolicy => {
    let p = cache.get(profile);
    if (!p) {
      const o = profiles[profile]?.culling ?? {};
      const idle = o.idle_timeout_seconds ?? culling.idle_timeout_seconds;
      p = {
        enabled: o.enabled ?? culling.enabled,
        idleTimeoutMs: idle * 1000,
        maxAgeMs: (o.max_age_seconds ?? culling.max_age_seconds) * 1000,
        spareBusy: o.spare_busy ?? culling.spare_busy,
        busyCpuCores: o.busy_cpu_cores ?? culling.busy_cpu_cores,
        kernelIdleTimeoutMs: (o.kernel_idle_timeout_seconds ?? culling.kernel_idle_timeout_seconds) * 1000,
        warnMs: (culling.warn_seconds ?? derivedWarnSeconds(idle)) * 1000,
      };
      cache.set(profile, p);
    }
    return p;
  };
  return (user, profile) => (exempt.has(user) ? { ...ofProfile(profile), enabled: false } : ofProfile(profile));
};
