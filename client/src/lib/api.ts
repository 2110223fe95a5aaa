// REST calls to the cloud (`/api/v1`). Errors arrive as `{error:{code,message}}`
// (protocol/src/errors.ts) and become ApiError, so views can show the code's
// translation instead of a raw status.
import { API_PREFIX } from './wire.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string;
  /** Another origin (the cloud) when the page is served by an edge. */
  baseUrl?: string;
}

/** The cloud this page talks to: the page's own origin unless `?cloud=` or a stored override says otherwise. */
export function cloudBaseUrl(): string {
  const fromQuery = new URLSearchParams(window.location.search).get('cloud');
  if (fromQuery) sessionStorage.setItem('branchedge.cloud', fromQuery);
  return sessionStorage.getItem('branchedge.cloud') ?? window.location.origin;
}

export async function apiFetch<T>(path: string, o: ApiOptions = {}): Promise<T> {
  const res = await fetch(`${o.baseUrl ?? cloudBaseUrl()}${API_PREFIX}${path}`, {
    method: o.method ?? (o.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    throw new ApiError(res.status, err?.code ?? 'internal', err?.message ?? res.statusText, err?.details);
  }
  return body as T;
}
