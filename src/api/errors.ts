import type { Duplex } from 'node:stream';
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

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'The request headers are too large'],
};

/**
 * Requests node's HTTP parser refuses before any route sees them (headers too large, malformed), answered with the
 * API's error body as every other error (fastify's default has another shape).
 */
export const clientErrorReply = (err: NodeJS.ErrnoException, socket: Duplex): void => {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', 'Malformed HTTP request'];
  const body = JSON.stringify({ status, message });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\n\r\n${body}`);
  }
  socket.destroy(err);
};
