import type { FastifyInstance } from 'fastify';
import { badRequest } from '../core/errors.js';

/**
 * JupyterHub's leniency about bodies: admin scripts send `Content-Type: application/json` on every request,
 * bodies or not. An empty body with that type is no body (fastify would answer FST_ERR_CTP_EMPTY_JSON_BODY);
 * a route whose body is optional (`config.optionalBody`) then sees `{}`, one that needs a body gets a 400
 * naming it, and a route without a body schema ignores it. Malformed JSON is still refused by fastify's parser.
 */
export const lenientBodies = (app: FastifyInstance): void => {
  const strict = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') {
      done(null, undefined);
      return;
    }
    void strict(req, body as string, done);
  });
  app.addHook('preValidation', async (req) => {
    if (req.body !== undefined) return;
    if ((req.routeOptions.config as { optionalBody?: boolean } | undefined)?.optionalBody) req.body = {};
    else if (req.routeOptions.schema?.body) throw badRequest(`Missing body: ${req.method} ${req.routeOptions.url ?? req.url} needs a JSON object`);
  });
};
