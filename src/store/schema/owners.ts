// Table types: owner sign-in and activity log (src/api/auth, src/activity)

export interface OwnerAuthNoncesTable {
  nonce: string;
  /** Lowercase 0x address the challenge was issued to. */
  address: string;
  domain: string;
  issued_at: number;
  expires_at: number;
}

export interface ActivityEntriesTable {
  /** Keyed pseudonym of the owner's address. */
  owner_tag: string;
  /** 1, 2, 3… per owner, no gaps. */
  seq: number;
  at: number;
  kind: string;
  vehicle_tag: string | null;
  /** Keyed tag of the app's license id, and of the grantee address. */
  app_tag: string | null;
  grantee_tag: string | null;
  ct: Buffer;
  /** sha256(previous hash ‖ seq ‖ ct). */
  hash: Buffer;
}

export interface ActivityHeadsTable {
  owner_tag: string;
  seq: number;
  hash: Buffer;
  /** Keyed MAC of (owner_tag, seq, hash): a rewritten chain cannot re-anchor itself. */
  mac: Buffer;
}
