import { profileSchema, type ProfileConfig } from '../../config/schema.js';
import type { PodProfile } from './objects.js';

/** A profile as pods run it: its own command, else the image's JupyterLab (no detection: the image decides). */
export const podProfile = (name: string, p: ProfileConfig): PodProfile => ({
  name,
  command: p.command,
  environment: p.environment,
  readinessPath: p.readiness_path,
  startTimeoutSeconds: p.start_timeout_seconds,
  kubernetes: p.kubernetes,
});

/** Every configured profile, and `default` (JupyterLab from kubernetes.image) unless configured. */
export const podProfiles = (profiles: Readonly<Record<string, ProfileConfig>>): Map<string, PodProfile> => {
  const entries = Object.entries(profiles).map(([name, p]) => [name, podProfile(name, p)] as const);
  return new Map(profiles['default'] ? entries : [['default', podProfile('default', profileSchema.parse({}))], ...entries]);
};

/** How the console names a profile: its display name, else what it runs. */
export const podProfileLabel = (p: ProfileConfig | undefined, name: string, image: string): string =>
  p?.display_name || (p && p.command.length > 0 ? name : `JupyterLab (${p?.kubernetes.image ?? image})`);
