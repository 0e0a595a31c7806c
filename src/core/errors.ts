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
