import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call: client-node's ApiException, its Watch errors (`statusCode`), or a Status body. */
export const apiStatus = (err: unknown): number | undefined => {
  if (err instanceof ApiException) return err.code;
  if (typeof err === 'object' && err !== null) {
    const e = err as { statusCode?: unknown; code?: unknown };
    if (typeof e.statusCode === 'number') return e.statusCode;
  }
  return undefined;
};

export const isNotFound = (err: unknown): boolean => apiStatus(err) === 404;
export const isConflict = (err: unknown): boolean => apiStatus(err) === 409;
export const isGone = (err: unknown): boolean => apiStatus(err) === 410;
export const isInvalid = (err: unknown): boolean => apiStatus(err) === 422;
export const isForbidden = (err: unknown): boolean => apiStatus(err) === 403;

/** Kubernetes' own words for a failure (the Status body's message), for logs and users. */
export const apiMessage = (err: unknown): string => {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    const parsed = typeof body === 'string' ? safeJson(body) : body;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
      return `${err.code}: ${(parsed as { message: string }).message}`;
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
};

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
};
