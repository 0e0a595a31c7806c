// Calls to this node's API. Errors come back as ApiError with the node's stable code, so pages can
// react to a code (ODM_ERR_AUTH_REQUIRED → sign in again) and show the message.
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, status: number, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

let authToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** The owner token sent with every call (set by the session). */
export function setAuthToken(token: string | undefined, unauthorized?: () => void): void {
  authToken = token;
  onUnauthorized = unauthorized;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Raw body (files); sent as is with `contentType`. */
  raw?: Blob | ArrayBuffer | Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Another bearer token than the session's (the developer's JWT), or null for none. */
  token?: string | null;
  signal?: AbortSignal;
}

export async function request(path: string, o: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...o.headers };
  const token = o.token === undefined ? authToken : o.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (o.raw !== undefined) {
    body = o.raw as BodyInit;
    headers['content-type'] = o.contentType ?? 'application/octet-stream';
  } else if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(path, { method: o.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  if (!res.ok) {
    let code = 'ODM_ERR_HTTP';
    let message = `${res.status} ${res.statusText}`;
    let details: Record<string, unknown> = {};
    try {
      const j = (await res.json()) as { code?: string; message?: string; details?: Record<string, unknown>; errors?: Array<{ message: string }> };
      code = j.code ?? code;
      message = j.message ?? j.errors?.[0]?.message ?? message;
      details = j.details ?? {};
    } catch {
      // not JSON
    }
    if (res.status === 401 && code === 'ODM_ERR_AUTH_REQUIRED' && token === authToken) onUnauthorized?.();
    throw new ApiError(code, message, res.status, details);
  }
  return res;
}

export async function api<T = unknown>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await request(path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Message for any thrown value, for error boxes. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
