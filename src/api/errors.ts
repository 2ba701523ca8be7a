import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS, HubError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { loggableUrl } from '../core/urls.js';

export { HTTP_STATUS };

// Fastify's own errors that are the client's fault, with the message a user should read.
const FASTIFY_CLIENT_ERRORS: Record<string, (e: FastifyError) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => `Malformed JSON body: ${e.message}`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => `Unsupported media type: ${e.message}`,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'Content-Length does not match the body',
};

export interface ErrorBody {
  status: number;
  message: string;
}

export const toErrorBody = (err: unknown, log: Logger, req?: FastifyRequest): ErrorBody => {
  if (err instanceof HubError) return { status: HTTP_STATUS[err.code], message: err.message };
  const fe = err as FastifyError;
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    const first = fe.validation[0];
    const path = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : '';
    const extra = first?.keyword === 'additionalProperties' ? `: unknown field ${JSON.stringify((first.params as { additionalProperty?: string }).additionalProperty)}` : '';
    return { status: 400, message: `Invalid ${where}${path ? ` field ${path}` : ''}: ${first?.message ?? fe.message}${extra}` };
  }
  const known = fe.code ? FASTIFY_CLIENT_ERRORS[fe.code] : undefined;
  if (known) return { status: fe.statusCode ?? 400, message: known(fe) };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, message: fe.message };
  log.error({ err, url: req ? loggableUrl(req.url) : undefined }, 'unhandled error');
  return { status: 500, message: 'Internal server error' };
};

export const sendError = (reply: FastifyReply, body: ErrorBody): FastifyReply =>
  reply.code(body.status).type('application/json').send(body);
