import { z } from 'zod';
import { envName, type JsonSchema } from './env.js';
import { agentConfigSchema, AGENT_ENV_PREFIX } from './agent-schema.js';
import { appSchema } from './app-schema.js';
import { configSchema } from './schema.js';
import { serviceSchema } from './services-schema.js';

/** Markdown reference of every config key, generated from the schema so it cannot drift. */
export const configReference = (): string => {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: string[] = [];
  const walk = (node: JsonSchema, path: string[]): void => {
    if (node.type === 'object' && node.properties && !(path.length > 0 && path.at(-1) === 'profiles')) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key]);
      return;
    }
    const type = node.enum ? node.enum.map((v) => JSON.stringify(v)).join(' \\| ') : (node.type ?? 'object');
    const def = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    rows.push(`| \`${path.join('.')}\` | \`${envName(path)}\` | ${type} | ${def} | ${node.description ?? ''} |`);
    // A list of objects (logs.ship.gelf): a row per key of an item, set through the list (JSON in the environment).
    const items = node['items'] as JsonSchema | undefined;
    if (node.type === 'array' && items?.type === 'object' && items.properties) {
      for (const [key, child] of Object.entries(items.properties)) {
        const t = child.enum ? child.enum.map((v) => JSON.stringify(v)).join(' \\| ') : (child.type ?? 'object');
        const d = child.default === undefined ? '' : `\`${JSON.stringify(child.default)}\``;
        rows.push(`| \`${path.join('.')}[].${key}\` | | ${t} | ${d} | ${child.description ?? ''} |`);
      }
    }
  };
  walk(json, []);
  const profile = z.toJSONSchema(configSchema.shape.profiles.unwrap().valueType, { io: 'input' }) as JsonSchema;
  const profileRows: string[] = [];
  // Nested keys of a profile (its culling overrides) get a row each, like the global ones.
  const walkProfile = (node: JsonSchema, path: string[]): void => {
    if (node.type === 'object' && node.properties && path.length > 0 && path.at(-1) !== 'environment') {
      for (const [key, child] of Object.entries(node.properties)) walkProfile(child, [...path, key]);
      return;
    }
    if (path.length === 0) return;
    const def = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
    profileRows.push(`| \`${path.join('.')}\` | ${node.type ?? 'object'} | ${def} | ${node.description ?? ''} |`);
  };
  for (const [key, child] of Object.entries(profile.properties ?? {})) walkProfile(child, [key]);
  // One row per key of a list item or map value (a service, a named app).
  const itemRows = (schema: z.ZodType): string[] =>
    Object.entries((z.toJSONSchema(schema, { io: 'input' }) as JsonSchema).properties ?? {}).map(
      ([key, node]) => `| \`${key}\` | ${node.type ?? 'object'} | ${node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``} | ${node.description ?? ''} |`,
    );
  const serviceRows = itemRows(serviceSchema);
  const appRows = itemRows(appSchema);
  const agent = z.toJSONSchema(agentConfigSchema, { io: 'input' }) as JsonSchema;
  // Nested keys (kubernetes.*, node mode) get a row each, as NBHUB_AGENT_KUBERNETES_NODE sets them.
  const agentRows = Object.entries(agent.properties ?? {}).flatMap(([key, node]) =>
    (node.type === 'object' && node.properties ? Object.entries(node.properties).map(([k, n]) => [[key, k], n] as const) : [[[key], node] as const]).map(
      ([path, n]) =>
        `| \`${path.join('.')}\` | \`${envName([...path], AGENT_ENV_PREFIX)}\` | ${n.enum ? n.enum.map((v) => JSON.stringify(v)).join(' \\| ') : (n.type ?? 'object')} | ${n.default === undefined ? '' : `\`${JSON.stringify(n.default)}\``} | ${n.description ?? ''} |`,
    ),
  );
  return [
    '# Configuration reference',
    '',
    '<!-- generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand -->',
    '',
    'nbhub reads a YAML file (`nbhub start --config FILE`), then `NBHUB_*` environment variables, then the',
    'command-line flags, each overriding the one before. Maps and lists take JSON in the environment.',
    'The whole config is validated at start-up; a bad value stops the hub with a message naming the key.',
    '',
    '| key | environment | type | default | meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## A profile (`profiles.<name>`)',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...profileRows,
    '',
    '## A service (`services[i]`)',
    '',
    '`url` (external), `command` (managed: with a loopback `url`, or on a free port the hub picks), or neither (a token-only service that only calls the API).',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...serviceRows,
    '',
    '## A named app (`profiles.<name>.apps.<app>`)',
    '',
    'App names: lower-case letters, digits and `-`. Reached at `/user/{name}/{server}/apps/{app}/`.',
    '',
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...appRows,
    '',
    '## A separate agent (`nbhub agent`)',
    '',
    '`nbhub agent --hub URL [--port N] [--data-dir DIR]`, then `NBHUB_AGENT_*` variables; flags win.',
    '',
    '| key | environment | type | default | meaning |',
    '|---|---|---|---|---|',
    ...agentRows,
    '',
  ].join('\n');
};
