import { textBody } from '../response-docs.js';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiContext } from '../context.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

// Paths of the single-page console; the page routes itself.
const PAGES = ['/', '/login', '/home', '/admin', '/usage', '/servers/*', '/clusters', '/clusters/*', '/spawn-pending/*'];

/** Serves the built console (web/dist): its pages at /hub/…, its files under /hub/static/. */
export const consoleRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    for (const page of PAGES) {
      app.get(page, { schema: { summary: 'Console page', hide: page !== '/', response: { 200: textBody('text/html', 'The console (a single-page app)') } } }, async (_req, reply) => {
        // Read on each request (it is small): a rebuilt console then shows without restarting the hub.
        const index = ctx.webDir ? await readFile(join(ctx.webDir, 'index.html'), 'utf8').catch(() => null) : null;
        reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
        return index ?? '<!doctype html><p>The nbhub console is not built. Run <code>npm run build</code>.</p>';
      });
    }
    app.get('/static/*', { schema: { summary: 'Console files', hide: true } }, async (req, reply) => {
      if (!ctx.webDir) return reply.code(404).send({ status: 404, message: 'Console not built' });
      const rel = normalize((req.params as { '*': string })['*']);
      const file = join(ctx.webDir, rel);
      if (!file.startsWith(ctx.webDir + sep)) return reply.code(404).send({ status: 404, message: 'Not found' });
      try {
        const body = await readFile(file);
        return reply
          .type(TYPES[extname(file)] ?? 'application/octet-stream')
          .header('cache-control', rel.startsWith('assets' + sep) ? 'public, max-age=31536000, immutable' : 'no-cache')
          .send(body);
      } catch {
        return reply.code(404).send({ status: 404, message: 'Not found' });
      }
    });
  };
