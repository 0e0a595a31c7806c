// Per-event outcomes of signature verification, as the worker reports them in one byte each. Kept
// apart from the worker so the pipeline can map them to error codes without loading secp256k1.
import {
  SCAN_DUPLICATE, SCAN_ESCAPED_NAME, SCAN_NO_DATA, SCAN_NO_SIGNATURE, SCAN_NOT_OBJECT, SCAN_MALFORMED,
} from '../envelope/json-scan.ts';

export const VERIFIED = 0;
export const SIG_MALFORMED = 16;
export const SIG_INVALID = 17;
export const DATA_BASE64_INVALID = 18;
/** Not computed: this event fell to another worker's share (never seen by the pipeline). */
export const NOT_MINE = 255;

/** The stable code and message for an event the verifier refused. */
export function verifyFailure(status: number): { code: `ODM_ERR_${string}`; message: string } {
  switch (status) {
    case SCAN_NOT_OBJECT:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'each event must be a JSON object' };
    case SCAN_ESCAPED_NAME:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'attribute names must not contain escape sequences' };
    case SCAN_DUPLICATE:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'the event repeats its data or signature attribute' };
    case SCAN_NO_DATA:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'the event has no data' };
    case SCAN_MALFORMED:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'data_base64 must be a string' };
    case SCAN_NO_SIGNATURE:
      return { code: 'ODM_ERR_SIGNATURE_MISSING', message: 'the event has no signature attribute' };
    case SIG_MALFORMED:
      return { code: 'ODM_ERR_SIGNATURE_INVALID', message: 'signature must be 0x followed by 65 bytes of hex (r, s, v)' };
    case DATA_BASE64_INVALID:
      return { code: 'ODM_ERR_ENVELOPE_INVALID', message: 'data_base64 is not valid base64' };
    default:
      return { code: 'ODM_ERR_SIGNATURE_INVALID', message: 'the signature does not verify over the data bytes' };
  }
}
