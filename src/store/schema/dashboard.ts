// Table types: dashboard: owner accounts, glovebox, consent documents, license applications (src/owners,
// src/glovebox, src/consent-inbox, src/console)
import type { ColumnType, Generated } from 'kysely';

export interface OwnerAccountsTable {
  /** Lowercase 0x address of the owner's embedded wallet. */
  address: string;
  /** Keyed hash of the normalised email (look-up without storing it in the clear). */
  email_tag: string;
  email_ct: Buffer;
  /** JSON {alg: 'scrypt', salt, n, r, p}: how the browser derives keys from the password. */
  kdf: string;
  verifier_salt: Buffer;
  /** scrypt of the auth key the browser derives; never the password. */
  verifier: Buffer;
  /** JSON {v, alg, iv, ct}: the wallet key sealed in the browser. */
  wallet: string;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface GloveboxDocumentsTable {
  doc_id: string;
  vehicle_id: string;
  owner_version: number;
  owner: string;
  kind: string;
  size: number;
  meta_ct: Buffer;
  content_ct: Buffer;
  created_at: number;
}

export interface ConsentDocumentsTable {
  /** 0x keccak256 of the canonical document: the grant's `source`. */
  hash: string;
  grantor: string;
  grantee: string;
  asset: string;
  /** JSON of the signed document. */
  document: string;
  created_at: number;
}

export interface LicenseApplicationsTable {
  id: Generated<number>;
  applicant: string;
  kind: string;
  legal_name: string;
  dba: string;
  website: string;
  support_email: string;
  note: string;
  status: 'pending' | 'issued' | 'rejected' | 'withdrawn';
  decision_reason: string | null;
  decided_by: string | null;
  license_id: string | null;
  tx_hash: string | null;
  created_at: number;
  decided_at: number | null;
}
