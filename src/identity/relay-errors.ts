// Turns a contract's refusal (a custom error in a revert) into a stable ODM_ERR_* code with a message an
// owner's app can show; anything that is not a revert is the chain being unreachable.
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { OdmError, type ErrorCode } from '../core/errors.ts';

const REVERTS: Record<string, [ErrorCode, string]> = {
  SignatureExpired: ['ODM_ERR_SIGNATURE_EXPIRED', 'the signature deadline has passed; sign the action again'],
  InvalidSignature: ['ODM_ERR_SIGNATURE_INVALID', 'the signature does not match the signer and the signed message'],
  ECDSAInvalidSignature: ['ODM_ERR_SIGNATURE_INVALID', 'the signature is not a valid ECDSA signature'],
  ECDSAInvalidSignatureLength: ['ODM_ERR_SIGNATURE_INVALID', 'the signature has the wrong length'],
  ECDSAInvalidSignatureS: ['ODM_ERR_SIGNATURE_INVALID', 'the signature is malleable (high s)'],
  InvalidAccountNonce: ['ODM_ERR_NONCE_INVALID', "the nonce is not the signer's next one (already used?); read the current nonce and sign again"],
  NotTokenOwner: ['ODM_ERR_NOT_TOKEN_OWNER', 'only the current owner of the token may do this'],
  NotVehicleOwner: ['ODM_ERR_NOT_TOKEN_OWNER', 'only the current owner of the vehicle may do this'],
  TokenNotFound: ['ODM_ERR_TOKEN_NOT_FOUND', 'no such token'],
  ERC721NonexistentToken: ['ODM_ERR_TOKEN_NOT_FOUND', 'no such token'],
  VehicleNotFound: ['ODM_ERR_TOKEN_NOT_FOUND', 'no such vehicle'],
  AssetNotSupported: ['ODM_ERR_ASSET_NOT_SUPPORTED', 'grants are not supported on this asset contract'],
  PermissionsInvalid: ['ODM_ERR_PERMISSIONS_INVALID', 'the permission mask is empty or sets only one bit of a privilege'],
  ExpirationInvalid: ['ODM_ERR_EXPIRATION_INVALID', 'the expiration must be in the future (and fit in 64 bits)'],
  GrantNotFound: ['ODM_ERR_GRANT_NOT_FOUND', 'there is no such grant to revoke'],
  AttributesInvalid: ['ODM_ERR_VEHICLE_ATTRIBUTES_INVALID', 'make and model must each be 1–64 bytes'],
  RelayerNotAllowed: ['ODM_ERR_RELAYER_NOT_ALLOWED', 'this node may not onboard vehicles now (its node license or stake is short)'],
};

/** The custom error a failed call or gas estimate reverted with, if it was a revert. */
export function revertOf(err: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const name = reverted.data?.errorName ?? reverted.reason ?? 'unknown';
  return { name, args: reverted.data?.args ?? [] };
}

export function relayError(err: unknown, action: string): OdmError {
  if (err instanceof OdmError) return err;
  const revert = revertOf(err);
  if (!revert) {
    return new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `could not reach the chain to ${action}`, { cause: err, details: { action } });
  }
  const known = REVERTS[revert.name];
  const details = { action, contractError: revert.name, args: revert.args.map((a) => (typeof a === 'bigint' ? a.toString() : a)) };
  if (known) return new OdmError(known[0], known[1], { details });
  return new OdmError('ODM_ERR_CHAIN_REVERTED', `the contract refused to ${action}: ${revert.name}`, { details });
}
