import { resolve } from 'node:path';
import { agentConfigSchema, AGENT_ENV_PREFIX, type AgentConfig } from './agent-schema.js';
import { configFromEnv } from './env.js';
import { ConfigError, deepFreeze, issueLines } from './load.js';

/** The agent's config from NBHUB_AGENT_* variables and flags (flags win); a bad value names its key. */
export const loadAgentConfig = (sources: { env: NodeJS.ProcessEnv; overrides: Record<string, unknown> }): Readonly<AgentConfig> => {
  const env = configFromEnv(sources.env, agentConfigSchema, AGENT_ENV_PREFIX);
  if (env.errors.length > 0) throw new ConfigError(`invalid agent configuration:\n  ${env.errors.join('\n  ')}`);
  const result = agentConfigSchema.safeParse({ ...env.values, ...sources.overrides });
  if (!result.success) throw new ConfigError(`invalid agent configuration:\n  ${issueLines(result.error).join('\n  ')}`);
  return deepFreeze({ ...result.data, data_dir: resolve(result.data.data_dir), hub: result.data.hub.replace(/\/+$/, '') });
};
