// The consent inbox on this device: requests opened from a link wait here until approved or declined,
// so an owner can come back to them from "App access".
import { encodeRequest, type ConsentRequest } from './consent-request.ts';

export interface InboxItem {
  request: ConsentRequest;
  encoded: string;
  receivedAt: number;
  status: 'pending' | 'approved' | 'declined';
}

const KEY = 'opendimo.inbox';

export function inbox(): InboxItem[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as InboxItem[];
  } catch {
    return [];
  }
}

function save(items: InboxItem[]): void {
  localStorage.setItem(KEY, JSON.stringify(items.slice(-50)));
}

export function remember(request: ConsentRequest): void {
  const encoded = encodeRequest(request);
  const items = inbox();
  if (!items.some((i) => i.encoded === encoded)) save([...items, { request, encoded, receivedAt: Date.now(), status: 'pending' }]);
}

export function settle(request: ConsentRequest, status: 'approved' | 'declined'): void {
  const encoded = encodeRequest(request);
  save(inbox().map((i) => (i.encoded === encoded ? { ...i, status } : i)));
}
