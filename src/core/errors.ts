/**
 * The closed list of domain errors. Services throw these; the API edge maps them to HTTP once
 * (api/errors.ts). Anything else that escapes is a bug and becomes a 500 without internals.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one table from domain error codes to HTTP statuses (trpc's getHTTPStatusCode), for every HTTP edge (API, proxy). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const badRequest = (message: string): HubError => new HubError('BAD_REQUEST', message);
export const notFound = (message: string): HubError => new HubError('NOT_FOUND', message);
export const forbidden = (message: string): HubError => new HubError('FORBIDDEN', message);
export const conflict = (message: string): HubError => new HubError('CONFLICT', message);
