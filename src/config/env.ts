import { z } from 'zod';
import { configSchema } from './schema.js';

type Schema = z.ZodType;

interface Leaf {
  path: string[];
  type: 'string' | 'number' | 'boolean' | 'json';
}

/** The settable leaves of the schema, derived from it so that a new key needs no second edit here. */
export const configLeaves = (schema: Schema = configSchema): Leaf[] => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: Leaf[] = [];
  const walk = (node: JsonSchema, path: string[]): void => {
    if (node.type === 'object' && node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key]);
      return;
    }
    const t = node.type;
    out.push({ path, type: t === 'string' || t === 'boolean' ? t : t === 'number' || t === 'integer' ? 'number' : 'json' });
  };
  walk(json, []);
  return out;
};

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  [k: string]: unknown;
}

export const envName = (path: string[], prefix = 'NBHUB_'): string => `${prefix}${path.join('_').toUpperCase()}`;

/** Reads NBHUB_* variables into a partial config object; values are converted by the leaf's type. */
export const configFromEnv = (env: NodeJS.ProcessEnv, schema: Schema = configSchema, prefix = 'NBHUB_'): { values: Record<string, unknown>; errors: string[] } => {
  const values: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const leaf of configLeaves(schema)) {
    const name = envName(leaf.path, prefix);
    const raw = env[name];
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (leaf.type === 'number') {
      value = raw.trim() === '' ? NaN : Number(raw);
      if (Number.isNaN(value)) errors.push(`${leaf.path.join('.')}: ${name}=${JSON.stringify(raw)} is not a number`);
    } else if (leaf.type === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) errors.push(`${leaf.path.join('.')}: ${name} must be true or false`);
      value = raw === 'true' || raw === '1';
    } else if (leaf.type === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        errors.push(`${leaf.path.join('.')}: ${name} must be JSON`);
      }
    }
    setPath(values, leaf.path, value);
  }
  return { values, errors };
};

export const setPath = (target: Record<string, unknown>, path: string[], value: unknown): void => {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
};
