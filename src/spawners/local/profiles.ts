import type { ProfileConfig } from '../../config/schema.js';
import { JUPYTER_MISSING, type DetectedJupyter } from './jupyter-detect.js';

/** A profile with its command decided: what the local spawner runs. */
export interface ResolvedProfile {
  name: string;
  displayName: string;
  command: string[];
  environment: Record<string, string>;
  readinessPath: string;
  startTimeoutSeconds: number;
  /** Jupyter runtimes take the token from JUPYTER_TOKEN rather than the command line (visible in ps). */
  jupyter: boolean;
  /**
   * Runs nbhub's identity provider (the detected jupyter_server): given NBHUB_AUTH_SHA256, never the secret. A
   * profile's own command keeps its {token} placeholder and JUPYTER_TOKEN, as does the classic Notebook 6.
   */
  hubIdentity: boolean;
  /** Put first on the runtime's PATH (a detected Python environment's bin). */
  binDir?: string;
}

/**
 * A profile's command: its own, or the detected Jupyter (whose label names the default profile when the
 * config gives it no display name, so the console says what it runs).
 */
export const resolveProfile = (
  name: string,
  profile: ProfileConfig,
  detected: DetectedJupyter | undefined,
): ResolvedProfile | { name: string; error: string } => {
  const run: DetectedJupyter | undefined = profile.command.length > 0 ? { command: profile.command, label: name } : detected;
  if (!run) return { name, error: JUPYTER_MISSING };
  return {
    name,
    displayName: profile.display_name || run.label,
    command: run.command,
    environment: profile.environment,
    readinessPath: profile.readiness_path,
    startTimeoutSeconds: profile.start_timeout_seconds,
    jupyter: /jupyter/.test(run.command[0] ?? ''),
    hubIdentity: run.hubIdentity === true,
    ...(run.binDir ? { binDir: run.binDir } : {}),
  };
};

export const expand = (arg: string, values: Record<string, string>): string =>
  arg.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
