// Table types: the node's token-signing keys (src/api/auth/owner-signing-key.ts)

export interface NodeKeysTable {
  /** 'owner-jwt-key' or 'app-jwt-key'. */
  purpose: string;
  /** Key id, in every token's header. */
  kid: string;
  alg: 'ES256';
  /** AES-256-GCM under the KEK (associated data `opendimo/<purpose>/<kid>`) of the PKCS#8 DER key. */
  sealed: Buffer;
  /** Epoch milliseconds. */
  created_at: number;
}
