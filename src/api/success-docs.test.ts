import type { RouteOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ErrorBodySchema, jsonBody, noBody } from './response-docs.js';
import { UserModelSchema } from './response-schemas.js';
import { documentSuccess, SUCCESS_DOCS } from './success-docs.js';

const route = (method: string, url: string, response: Record<string, unknown>) =>
  ({ method, url, handler: () => undefined, schema: { summary: 's', response } }) as unknown as RouteOptions;

describe('documentSuccess', () => {
  it("puts a listed route's success schema into the document's copy, leaving the route's own schema as it was", () => {
    const response = { '2xx': jsonBody('Success'), '4xx': ErrorBodySchema };
    const r = route('GET', '/hub/api/users/:name', response);
    const out = documentSuccess({ schema: r.schema ?? {}, url: r.url, route: r });
    const documented = out.schema.response as Record<string, Record<string, unknown>>;
    expect(Object.keys(documented).sort()).toEqual(['200', '4xx']);
    expect(documented['200']?.properties).toBe(UserModelSchema.properties);
    expect(documented['200']?.description).toBe('The user model');
    expect(documented['4xx']).toBe(ErrorBodySchema);
    // fastify serializes with the route's schema: it must not have changed.
    expect(r.schema?.response).toBe(response);
    expect(Object.keys(response)).toEqual(['2xx', '4xx']);
  });

  it("keeps a named success code's description and leaves routes not listed alone", () => {
    const started = route('POST', '/hub/api/users/:name/server', { 201: jsonBody('Running'), 202: jsonBody('Still starting') });
    const out = documentSuccess({ schema: started.schema ?? {}, url: started.url, route: started }).schema.response as Record<string, Record<string, unknown>>;
    expect(out['201']?.description).toBe('Running');
    expect(out['202']?.required).toContain('nbhub');
    const other = route('DELETE', '/hub/api/users/:name', { 204: noBody('Deleted') });
    expect(documentSuccess({ schema: other.schema ?? {}, url: other.url, route: other }).schema).toBe(other.schema);
  });

  it('lists routes by method and the full path as fastify names it', () => {
    for (const key of Object.keys(SUCCESS_DOCS)) expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/hub\/(api\/)?[^ ]*$/);
  });
});
