import type { RouteOptions } from 'fastify';
import { ErrorReply } from './schemas.js';

/** Every error the API answers (api/errors.ts): `{status, message}`; some add fields (a failure's details). */
export const ErrorBodySchema = { ...ErrorReply, additionalProperties: true, description: 'An error: its HTTP status and a message naming what is wrong' };

/** A response without a body (a redirect, an acknowledgement): documented with no content. */
// Typed as a plain object: the route's reply stays free to send nothing (a typed `null` schema would ask for null).
export const noBody = (description: string): Record<string, unknown> => ({ type: 'null', description });
/** A response whose body is text of this media type (a page, Prometheus' format, an event stream). */
/** A JSON body not described further here (the route's model). */
export const jsonBody = (description: string): Record<string, unknown> => ({ description });
export const textBody = (mediaType: string, description: string) => ({ description, content: { [mediaType]: { schema: { type: 'string' } } } });

type Responses = Record<string, unknown>;
const hasClass = (r: Responses, digit: string) => Object.keys(r).some((k) => k.startsWith(digit));

/**
 * Completes a route's documented responses (issue 16: the OpenAPI document describes every response, checked by
 * schemathesis): any 4xx or 5xx not named is the shared error body, and a route that names no success gets a
 * generic one. Named codes keep their own schemas (OpenAPI prefers an exact code to a range).
 */
export const documentResponses = (route: RouteOptions): void => {
  if (route.schema?.hide === true) return;
  const schema = (route.schema ??= {});
  const response = { ...((schema.response as Responses | undefined) ?? {}) };
  if (!hasClass(response, '2') && !hasClass(response, '3')) response['2xx'] = jsonBody('Success');
  response['4xx'] ??= ErrorBodySchema;
  response['5xx'] ??= ErrorBodySchema;
  schema.response = response;
};
