import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configFromEnv, setPath } from './env.js';
import { spawnerShorthand } from './kubernetes-schema.js';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigSources {
  file?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Command-line flags, which win over the environment, which wins over the file. */
  overrides?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const merge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> => {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) && k !== 'profiles' ? merge(prev, v) : v;
  }
  return out;
};

/** Loads, validates and freezes the config. A bad value throws a ConfigError naming its key. */
export const loadConfig = (sources: ConfigSources): Readonly<Config> => {
  let fromFile: Record<string, unknown> = {};
  if (sources.file) {
    let text: string;
    try {
      text = readFileSync(sources.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${sources.file}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (err) {
      throw new ConfigError(`config file ${sources.file} is not valid YAML: ${(err as Error).message}`);
    }
    if (parsed != null && !isObject(parsed)) throw new ConfigError(`config file ${sources.file} must hold a mapping`);
    fromFile = (parsed as Record<string, unknown> | null) ?? {};
  }
  // `spawner: kubernetes` in the file, and NBHUB_SPAWNER=kubernetes, are short for spawner.kind.
  if ('spawner' in fromFile) fromFile = { ...fromFile, spawner: spawnerShorthand(fromFile['spawner']) };
  const env = configFromEnv(sources.env);
  const shortKind = sources.env['NBHUB_SPAWNER'];
  if (shortKind !== undefined && sources.env['NBHUB_SPAWNER_KIND'] === undefined) setPath(env.values, ['spawner', 'kind'], shortKind);
  if (env.errors.length > 0) throw new ConfigError(`invalid configuration:\n  ${env.errors.join('\n  ')}`);
  const merged = merge(merge(fromFile, env.values), sources.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(`invalid configuration:\n  ${issueLines(result.error).join('\n  ')}`);
  const config = {
    ...result.data,
    data_dir: resolve(result.data.data_dir),
    spawner: { ...result.data.spawner, jupyter_env: resolve(result.data.spawner.jupyter_env || defaultJupyterEnv(sources.env)) },
  };
  return deepFreeze(config);
};

/** Where scripts/install-deps.sh puts the runtimes' Python environment (it computes the same path). */
export const defaultJupyterEnv = (env: NodeJS.ProcessEnv): string =>
  join(env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share'), 'nbhub', 'jupyter');

/** One line per problem, each naming its key. */
export const issueLines = (error: z.ZodError): string[] =>
  error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((k) => `${[...issue.path, k].join('.')}: unknown key`)
      : [`${issue.path.join('.') || '(root)'}: ${issue.message}`],
  );

export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};
