// The contract functions the consoles call (fragments of contracts/Licenses.sol, Challenges.sol and
// LicenseSigners.sol).
import { parseAbi } from 'viem';

export const LICENSES_ABI = parseAbi([
  'struct Metadata { string legalName; string dba; string website; string supportEmail; }',
  'function issue(address to, uint8 kind, Metadata metadata) returns (uint256)',
  'function suspend(uint256 licenseId, string reason)',
  'function unsuspend(uint256 licenseId, string reason)',
  'function revoke(uint256 licenseId, string reason)',
  'function ban(uint256 licenseId, string reason)',
  'function banAddress(address account, string reason)',
  'function raiseRequirement(uint256 licenseId, uint256 newRequired)',
]);

export const CHALLENGES_ABI = parseAbi([
  'function uphold(uint256 challengeId, uint256 slashAmount, uint256 ownersTotal, bytes32 ownersRoot, string rulingURI)',
  'function reject(uint256 challengeId, string rulingURI)',
]);

export const LICENSE_SIGNERS_ABI = parseAbi([
  'function enableSigner(uint256 licenseId, address signer, uint64 expiresAt)',
  'function disableSigner(uint256 licenseId, address signer)',
  'function setRedirectUri(uint256 licenseId, string uri, bool enabled)',
]);

export const KIND_IDS: Record<string, number> = { client: 0, node: 1, app: 2 };
