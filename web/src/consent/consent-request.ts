// An app's opt-in request as a shareable link: /consent?request=<base64url of this JSON>. The developer
// console builds it; the consent page decodes it, and then checks every claim against the node (the
// license named, that the grantee acts for it) before showing it to the owner.
export interface StreamRequest {
  signal: string;
  /** As shown to the owner: "1s", "1m", "on change"… */
  frequency: string;
}

export interface ConsentRequest {
  v: 1;
  licenseId: string;
  /** The address the grant goes to: the license holder or an address linked to it. */
  grantee: string;
  privileges: number[];
  streams: StreamRequest[];
  purpose: string;
  durationDays: number;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

export function encodeRequest(r: ConsentRequest): string {
  const bytes = new TextEncoder().encode(JSON.stringify(r));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Throws with a reason the page can show when the link is damaged or not a request. */
export function decodeRequest(text: string): ConsentRequest {
  if (!text || !B64URL.test(text) || text.length > 20_000) throw new Error('The link does not carry a request.');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const json = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  const r = JSON.parse(json) as Partial<ConsentRequest>;
  const ok =
    r.v === 1 && typeof r.licenseId === 'string' && /^\d+$/.test(r.licenseId) && typeof r.grantee === 'string' && /^0x[0-9a-fA-F]{40}$/.test(r.grantee) &&
    Array.isArray(r.privileges) && r.privileges.length > 0 && r.privileges.every((p) => Number.isInteger(p) && p >= 1 && p <= 8) &&
    Array.isArray(r.streams) && r.streams.every((s) => typeof s?.signal === 'string' && typeof s?.frequency === 'string') &&
    typeof r.purpose === 'string' && r.purpose.trim().length > 0 && r.purpose.length <= 1000 &&
    typeof r.durationDays === 'number' && r.durationDays >= 1 && r.durationDays <= 3650;
  if (!ok) throw new Error('The request in this link is incomplete or malformed.');
  return { ...(r as ConsentRequest), privileges: [...new Set(r.privileges!)].sort((a, b) => a - b) };
}
