// The connectors' HTTP client for OEM APIs: node:http/https with keep-alive agents (one connection pool
// per origin, bounded sockets), a per-request deadline, JSON or form bodies, and answers of any status
// returned as values (the callers read OEM error shapes). Only transport failures throw: a timeout as
// ODM_ERR_OEM_TIMEOUT, anything else (refused, reset, DNS) as ODM_ERR_OEM_UNAVAILABLE, both retryable.
// Node 24's fetch has no public way to hand it a dispatcher (undici is not a dependency here), so this
// uses node:http directly; it also avoids fetch's silent retry of 421 answers.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { OdmError } from '../../core/errors.ts';

export interface OemResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the text when the body is not JSON (null when empty). */
  body: unknown;
}

export interface OemRequest {
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  timeoutMs?: number;
}

export interface OemHttpOptions {
  /** Sockets per origin. Default 128. */
  maxSockets?: number;
  /** Default request deadline. Default 15 s. */
  timeoutMs?: number;
}

export class OemHttp {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  readonly #timeoutMs: number;
  #requests = 0;

  constructor(options: OemHttpOptions = {}) {
    const agent = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: options.maxSockets ?? 128, maxFreeSockets: options.maxSockets ?? 128, scheduling: 'lifo' as const };
    this.#http = new HttpAgent(agent);
    this.#https = new HttpsAgent(agent);
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Requests sent so far (for the bench and metrics). */
  get requests(): number {
    return this.#requests;
  }

  request(url: string, init: OemRequest = {}): Promise<OemResponse> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    let payload: Buffer | undefined;
    if (init.json !== undefined) {
      payload = Buffer.from(JSON.stringify(init.json));
      headers['content-type'] = 'application/json';
    } else if (init.form) {
      payload = Buffer.from(new URLSearchParams(init.form).toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (payload) headers['content-length'] = String(payload.length);
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const timeoutMs = init.timeoutMs ?? this.#timeoutMs;
    this.#requests++;
    return new Promise<OemResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: OdmError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const req = send(target, { method: init.method ?? 'GET', headers, agent: secure ? this.#https : this.#http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => fail(unavailable(target, err)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text === '' ? null : text;
          if (text !== '' && /json/i.test(String(res.headers['content-type'] ?? 'json'))) {
            try {
              body = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      const timer = setTimeout(() => {
        fail(new OdmError('ODM_ERR_OEM_TIMEOUT', `${target.host} did not answer within ${timeoutMs} ms`, { details: { host: target.host } }));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err) => fail(unavailable(target, err)));
      if (payload) req.end(payload);
      else req.end();
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

function unavailable(target: URL, cause: unknown): OdmError {
  return new OdmError('ODM_ERR_OEM_UNAVAILABLE', `could not reach ${target.host}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
    details: { host: target.host },
  });
}

/** A header's value as one string (first of a list), lower-cased name. */
export function header(res: { headers: IncomingHttpHeaders | Record<string, unknown> }, name: string): string | undefined {
  const v = (res.headers as Record<string, unknown>)[name.toLowerCase()];
  if (Array.isArray(v)) return v[0] === undefined ? undefined : String(v[0]);
  return v === undefined || v === null ? undefined : String(v);
}

/** Retry-After in milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
