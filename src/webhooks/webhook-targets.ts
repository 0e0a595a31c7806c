// Where webhooks may point, and DIMO's target verification: on create (and when the target changes) the
// node POSTs {"verification": "test"} to the target and expects 200 with the developer's
// verificationToken as the whole body (whitespace trimmed). Production nodes only call https targets on
// public addresses, so a developer cannot aim the node at its own network; dev mode allows loopback http.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { OdmError } from '../core/errors.ts';

export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
  timeoutMs: number;
}

function refuse(message: string, url: string): OdmError {
  return new OdmError('ODM_ERR_WEBHOOK_TARGET_INVALID', message, { status: 400, details: { targetURL: url.slice(0, 300) } });
}

/** True for loopback, private, link-local, CGNAT, unspecified and multicast addresses. */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  if (v === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  if (v === 6) {
    const x = address.toLowerCase();
    if (x === '::' || x === '::1') return true;
    if (x.startsWith('::ffff:')) return isPrivateAddress(x.slice(7));
    return /^f[cd]/.test(x) || /^fe[89ab]/.test(x) || x.startsWith('ff');
  }
  return false;
}

/** Validates a target URL's shape against the policy; returns it normalised. */
export function checkTargetUrl(raw: unknown, policy: TargetPolicy): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) throw refuse('targetURL must be a URL of at most 2048 characters', String(raw));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('targetURL is not a valid URL', raw);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) throw refuse(policy.allowHttp ? 'targetURL must be http(s)' : 'targetURL must be https', raw);
  if (url.username || url.password) throw refuse('targetURL must not carry credentials', raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) throw refuse('targetURL must be a public address', raw);
  return url.toString();
}

/** Before each request in production: the name must not resolve to a private address. */
export async function checkTargetAddress(url: string, policy: TargetPolicy): Promise<void> {
  if (policy.allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(host, { all: true });
  } catch (cause) {
    throw new OdmError('ODM_ERR_WEBHOOK_TARGET_INVALID', `cannot resolve ${host}`, { status: 400, cause });
  }
  if (addresses.some((a) => isPrivateAddress(a.address))) throw refuse('targetURL resolves to a private address', url);
}

/** DIMO's verification handshake; ODM_ERR_WEBHOOK_VERIFICATION_FAILED (400) when the target does not echo the token. */
export async function verifyTarget(url: string, verificationToken: string, policy: TargetPolicy): Promise<void> {
  await checkTargetAddress(url, policy);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'opendimo-webhooks/1' },
      body: '{"verification": "test"}',
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
  } catch (cause) {
    throw new OdmError('ODM_ERR_WEBHOOK_VERIFICATION_FAILED', `could not reach the target: ${(cause as Error).name === 'TimeoutError' ? 'timed out' : 'connection failed'}`, { status: 400, cause });
  }
  const text = (await res.text().catch(() => '')).slice(0, 4096);
  if (res.status !== 200) throw new OdmError('ODM_ERR_WEBHOOK_VERIFICATION_FAILED', `the target answered ${res.status}, not 200`, { status: 400, details: { status: res.status } });
  if (text.trim() !== verificationToken) throw new OdmError('ODM_ERR_WEBHOOK_VERIFICATION_FAILED', 'the target did not answer with the verificationToken', { status: 400 });
}
