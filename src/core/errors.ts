// One error class for the whole node. Every rejection carries a stable code that clients can match on,
// a short human message, structured details, the underlying cause and whether retrying may help.

export type ErrorDetails = Record<string, unknown>;

export interface OdmErrorOptions {
  details?: ErrorDetails;
  cause?: unknown;
  retryable?: boolean;
  /** HTTP status the API layer answers with; defaults from the code's table entry. */
  status?: number;
}

/** Codes with their default HTTP status and retryability. Add new codes here, never reuse one. */
export const ERROR_CODES = {
  ODM_ERR_INTERNAL: { status: 500, retryable: false },
  ODM_ERR_CONFIG_INVALID: { status: 500, retryable: false },
  ODM_ERR_DATA_DIR_LOCKED: { status: 500, retryable: false },
  ODM_ERR_PORT_IN_USE: { status: 500, retryable: false },
  ODM_ERR_VALIDATION: { status: 400, retryable: false },
  ODM_ERR_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_UNAVAILABLE: { status: 503, retryable: true },
  ODM_ERR_TIMEOUT: { status: 504, retryable: true },
  ODM_ERR_CHAIN_UNAVAILABLE: { status: 503, retryable: true },
  ODM_ERR_CHAIN_START_FAILED: { status: 500, retryable: false },
  ODM_ERR_CONTRACT_COMPILE: { status: 500, retryable: false },
  ODM_ERR_CONTRACT_DEPLOY: { status: 500, retryable: true },
  ODM_ERR_CONTRACT_NOT_DEPLOYED: { status: 500, retryable: false },
  ODM_ERR_CONTRACT_ARTIFACT_MISSING: { status: 500, retryable: false },
  ODM_ERR_DB_UNAVAILABLE: { status: 503, retryable: true },
  ODM_ERR_DB_MIGRATION: { status: 500, retryable: false },
  ODM_ERR_MQTT_UNAVAILABLE: { status: 503, retryable: true },
  ODM_ERR_BUS_UNAVAILABLE: { status: 503, retryable: true },
  // chain indexer and identity mirror
  ODM_ERR_INDEXER_CONFIG: { status: 500, retryable: false },
  ODM_ERR_INDEXER_HANDLER: { status: 500, retryable: true },
  ODM_ERR_INDEXER_CURSOR_MOVED: { status: 500, retryable: true },
  // relayer: owner-signed actions refused by the contracts (or before reaching them)
  // ODM_ERR_SIGNATURE_INVALID (401) is shared with ingest, below.
  ODM_ERR_SIGNATURE_EXPIRED: { status: 400, retryable: false },
  ODM_ERR_NONCE_INVALID: { status: 409, retryable: false },
  ODM_ERR_NOT_TOKEN_OWNER: { status: 403, retryable: false },
  ODM_ERR_TOKEN_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_ASSET_NOT_SUPPORTED: { status: 400, retryable: false },
  ODM_ERR_PERMISSIONS_INVALID: { status: 400, retryable: false },
  ODM_ERR_EXPIRATION_INVALID: { status: 400, retryable: false },
  ODM_ERR_GRANT_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_VEHICLE_ATTRIBUTES_INVALID: { status: 400, retryable: false },
  ODM_ERR_CHAIN_REVERTED: { status: 422, retryable: false },
  ODM_ERR_RELAYER_NOT_ALLOWED: { status: 503, retryable: false },
  ODM_ERR_RELAYER_UNAVAILABLE: { status: 503, retryable: false },
  ODM_ERR_RELAY_FAILED: { status: 502, retryable: true },
  // licensing: the access gate's refusals (src/licensing/license-gate.ts, data-access.ts)
  ODM_ERR_LICENSE_UNKNOWN: { status: 403, retryable: false },
  ODM_ERR_LICENSE_SUSPENDED: { status: 403, retryable: false },
  ODM_ERR_LICENSE_REVOKED: { status: 403, retryable: false },
  ODM_ERR_LICENSE_RENOUNCED: { status: 403, retryable: false },
  ODM_ERR_LICENSE_BANNED: { status: 403, retryable: false },
  ODM_ERR_LICENSE_UNDERSTAKED: { status: 403, retryable: false },
  ODM_ERR_LICENSE_KIND: { status: 403, retryable: false },
  ODM_ERR_LICENSE_GRANTEE_MISMATCH: { status: 403, retryable: false },
  ODM_ERR_CONSENT_MISSING: { status: 403, retryable: false },
  // ingest (src/ingest): whole-event rejections carry these as the event's code
  ODM_ERR_ENVELOPE_INVALID: { status: 400, retryable: false },
  ODM_ERR_ENVELOPE_TOO_LARGE: { status: 413, retryable: false },
  ODM_ERR_DID_INVALID: { status: 400, retryable: false },
  ODM_ERR_TYPE_UNSUPPORTED: { status: 400, retryable: false },
  ODM_ERR_DATA_INVALID: { status: 400, retryable: false },
  ODM_ERR_TIME_IN_FUTURE: { status: 400, retryable: false },
  ODM_ERR_TIME_TOO_OLD: { status: 400, retryable: false },
  ODM_ERR_SIGNATURE_MISSING: { status: 401, retryable: false },
  ODM_ERR_SIGNATURE_INVALID: { status: 401, retryable: false },
  ODM_ERR_DEVICE_UNKNOWN: { status: 403, retryable: false },
  ODM_ERR_PRODUCER_MISMATCH: { status: 403, retryable: false },
  ODM_ERR_DEVICE_NOT_PAIRED: { status: 403, retryable: false },
  ODM_ERR_SUBJECT_UNKNOWN: { status: 403, retryable: false },
  ODM_ERR_SOURCE_MISMATCH: { status: 403, retryable: false },
  ODM_ERR_TOPIC_MISMATCH: { status: 403, retryable: false },
  ODM_ERR_MEDIA_TYPE: { status: 415, retryable: false },
  ODM_ERR_INGEST_OVERLOADED: { status: 503, retryable: true },
  // ingest: per-signal reasons (inside a stored event's result; never a request's status)
  ODM_ERR_SIGNAL_INVALID: { status: 422, retryable: false },
  ODM_ERR_SIGNAL_UNKNOWN: { status: 422, retryable: false },
  ODM_ERR_SIGNAL_TYPE: { status: 422, retryable: false },
  ODM_ERR_SIGNAL_OUT_OF_RANGE: { status: 422, retryable: false },
  ODM_ERR_SIGNAL_TIMESTAMP_INVALID: { status: 422, retryable: false },
  ODM_ERR_LOCATION_UNPAIRED: { status: 422, retryable: false },
  ODM_ERR_LOCATION_NULL_ISLAND: { status: 422, retryable: false },
  // vault and privacy (src/vault, src/privacy)
  ODM_ERR_DECRYPT: { status: 500, retryable: false },
  ODM_ERR_VAULT_KEYRING: { status: 500, retryable: false },
  ODM_ERR_KEY_RACE: { status: 503, retryable: true },
  ODM_ERR_OWNER_AUTH: { status: 401, retryable: false },
  ODM_ERR_NOT_OWNER: { status: 403, retryable: false },
  ODM_ERR_PRIVACY_ZONE_INVALID: { status: 400, retryable: false },
  // connectors (src/connectors): OEM onboarding, polling, owner control, commands
  ODM_ERR_OEM_NOT_CONFIGURED: { status: 503, retryable: false },
  ODM_ERR_OEM_UNAVAILABLE: { status: 502, retryable: true },
  ODM_ERR_OEM_TIMEOUT: { status: 504, retryable: true },
  ODM_ERR_OEM_RATE_LIMITED: { status: 429, retryable: true },
  ODM_ERR_OEM_REJECTED: { status: 502, retryable: false },
  ODM_ERR_OEM_AUTH: { status: 502, retryable: true },
  ODM_ERR_OEM_REAUTH_REQUIRED: { status: 409, retryable: false },
  ODM_ERR_OAUTH_STATE_INVALID: { status: 400, retryable: false },
  ODM_ERR_OAUTH_DENIED: { status: 400, retryable: false },
  ODM_ERR_OAUTH_EXCHANGE: { status: 502, retryable: false },
  ODM_ERR_CONNECTION_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_CONNECTION_STATE: { status: 409, retryable: false },
  ODM_ERR_ONBOARDING_STALE: { status: 409, retryable: false },
  ODM_ERR_APP_AUTH: { status: 401, retryable: false },
  ODM_ERR_VEHICLE_ASLEEP: { status: 503, retryable: true },
  ODM_ERR_COMMAND_FAILED: { status: 502, retryable: false },
  // owner sign-in and activity log (src/api/auth, src/activity); signature, expiry and nonce refusals
  // reuse ODM_ERR_SIGNATURE_INVALID, ODM_ERR_SIGNATURE_EXPIRED and ODM_ERR_NONCE_INVALID above.
  ODM_ERR_AUTH_REQUIRED: { status: 401, retryable: false },
  ODM_ERR_SIWE_MESSAGE_INVALID: { status: 400, retryable: false },
  ODM_ERR_SIWE_DOMAIN: { status: 401, retryable: false },
  // dashboard (src/owners, src/glovebox, src/consent-inbox, src/console, src/webapp)
  ODM_ERR_ACCOUNT_EXISTS: { status: 409, retryable: false },
  ODM_ERR_LOGIN_FAILED: { status: 401, retryable: false },
  ODM_ERR_LOGIN_LOCKED: { status: 429, retryable: true },
  ODM_ERR_CONFIRMATION_MISMATCH: { status: 400, retryable: false },
  ODM_ERR_DOCUMENT_TOO_LARGE: { status: 413, retryable: false },
  ODM_ERR_DOCUMENT_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_LICENSE_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_APPLICATION_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_APPLICATION_STATE: { status: 409, retryable: false },
  ODM_ERR_ROLE_REQUIRED: { status: 403, retryable: false },
  ODM_ERR_TRANSACTION_REFUSED: { status: 400, retryable: false },
  // data unions, anonymized aggregates, rewards (src/unions, src/rewards)
  ODM_ERR_UNION_UNKNOWN: { status: 400, retryable: false },
  ODM_ERR_DATASET_UNKNOWN: { status: 404, retryable: false },
  ODM_ERR_REWARDS_WEEK_OPEN: { status: 409, retryable: true },
  ODM_ERR_REWARDS_WEEK_NOT_STARTED: { status: 409, retryable: true },
  ODM_ERR_REWARDS_NOT_COMPUTED: { status: 404, retryable: false },
  ODM_ERR_REWARDS_ROOT_FINAL: { status: 409, retryable: false },
  // app access (src/api/apps, src/api/telemetry): developer auth, token exchange, telemetry GraphQL
  ODM_ERR_PRIVILEGE_UNKNOWN: { status: 400, retryable: false },
  ODM_ERR_TOKEN_INVALID: { status: 401, retryable: false },
  ODM_ERR_CLIENT_UNKNOWN: { status: 401, retryable: false },
  ODM_ERR_SIGNER_NOT_ENABLED: { status: 401, retryable: false },
  ODM_ERR_SIGNER_EXPIRED: { status: 401, retryable: false },
  ODM_ERR_REDIRECT_URI_INVALID: { status: 400, retryable: false },
  ODM_ERR_TOKEN_SCOPE: { status: 403, retryable: false },
  ODM_ERR_PRIVILEGE_NOT_IN_TOKEN: { status: 403, retryable: false },
  ODM_ERR_RATE_LIMITED: { status: 429, retryable: true },
  ODM_ERR_QUERY_COST: { status: 400, retryable: false },
  // live streams and webhooks (src/live, src/webhooks)
  ODM_ERR_LIVE_TOKEN_MISMATCH: { status: 403, retryable: false },
  ODM_ERR_LIVE_SLOW_CONSUMER: { status: 429, retryable: true },
  ODM_ERR_LIVE_LIMIT: { status: 429, retryable: true },
  ODM_ERR_VEHICLE_TRANSFERRED: { status: 403, retryable: false },
  ODM_ERR_WEBHOOK_NOT_FOUND: { status: 404, retryable: false },
  ODM_ERR_WEBHOOK_TARGET_INVALID: { status: 400, retryable: false },
  ODM_ERR_WEBHOOK_VERIFICATION_FAILED: { status: 400, retryable: false },
  ODM_ERR_WEBHOOK_CONDITION_INVALID: { status: 400, retryable: false },
  ODM_ERR_WEBHOOK_METRIC_UNKNOWN: { status: 400, retryable: false },
  ODM_ERR_WEBHOOK_LIMIT: { status: 409, retryable: false },
  ODM_ERR_WEBHOOK_NAME_TAKEN: { status: 409, retryable: false },
  // cluster harness: a Debian package it runs (postgresql, nats-server, mosquitto) is not installed
  ODM_ERR_HARNESS_BINARY_MISSING: { status: 500, retryable: false },
  // vault retention (src/vault/retention.ts): an owner's retention days out of range
  ODM_ERR_RETENTION_INVALID: { status: 400, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type KnownErrorCode = keyof typeof ERROR_CODES;
/** Modules may define codes outside the table; they must still start with ODM_ERR_. */
export type ErrorCode = KnownErrorCode | `ODM_ERR_${string}`;

export class OdmError extends Error {
  override readonly name = 'OdmError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly retryable: boolean;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: OdmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const known = (ERROR_CODES as Record<string, { status: number; retryable: boolean }>)[code];
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? known?.retryable ?? false;
    this.status = options.status ?? known?.status ?? 500;
  }

  /** The wire shape the API returns; never includes the cause (it may hold internals). */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isOdmError(err: unknown): err is OdmError {
  return err instanceof OdmError;
}

/** Wraps anything thrown into an OdmError, keeping OdmErrors as they are. */
export function toOdmError(err: unknown, code: ErrorCode = 'ODM_ERR_INTERNAL', message?: string): OdmError {
  if (err instanceof OdmError) return err;
  const text = message ?? (err instanceof Error ? err.message : String(err));
  return new OdmError(code, text, { cause: err });
}
