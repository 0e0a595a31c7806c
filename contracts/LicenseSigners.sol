// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

/// @title API keys and redirect URIs of licenses
/// @notice A license's API keys are signer addresses its holder enables, each until an expiry; a signer
/// answers the node's web3 challenge to get a developer token for the license. Redirect URIs are the
/// `domain`s the license may authenticate for. Only the license's current holder (Licenses.ownerOf)
/// changes either. Signers and URIs belong to the license: after a transfer the new holder manages them.
/// Nodes mirror the events; the views exist for anyone who reads the chain directly.
contract LicenseSigners {
    uint256 public constant MAX_URI_LENGTH = 256;

    IERC721 public immutable licenses;

    /// Unix seconds the signer stops being valid; 0 = not enabled.
    mapping(uint256 licenseId => mapping(address signer => uint64)) public signerExpiresAt;
    mapping(uint256 licenseId => mapping(bytes32 uriHash => bool)) private _redirectUris;

    event SignerEnabled(uint256 indexed licenseId, address indexed signer, uint64 expiresAt, address indexed by);
    event SignerDisabled(uint256 indexed licenseId, address indexed signer, address indexed by);
    event RedirectUriSet(uint256 indexed licenseId, string uri, bool enabled, address indexed by);

    error NotLicenseHolder(uint256 licenseId, address caller);
    error InvalidSigner(address signer);
    error ExpiryNotInFuture(uint64 expiresAt);
    error SignerNotEnabled(uint256 licenseId, address signer);
    error InvalidUri();

    modifier onlyHolder(uint256 licenseId) {
        // ownerOf reverts for a license that does not exist.
        if (licenses.ownerOf(licenseId) != msg.sender) revert NotLicenseHolder(licenseId, msg.sender);
        _;
    }

    constructor(IERC721 licensesContract) {
        licenses = licensesContract;
    }

    /// Enables `signer` (or moves its expiry) until `expiresAt` (unix seconds, in the future).
    function enableSigner(uint256 licenseId, address signer, uint64 expiresAt) external onlyHolder(licenseId) {
        if (signer == address(0)) revert InvalidSigner(signer);
        if (expiresAt <= block.timestamp) revert ExpiryNotInFuture(expiresAt);
        signerExpiresAt[licenseId][signer] = expiresAt;
        emit SignerEnabled(licenseId, signer, expiresAt, msg.sender);
    }

    function disableSigner(uint256 licenseId, address signer) external onlyHolder(licenseId) {
        if (signerExpiresAt[licenseId][signer] == 0) revert SignerNotEnabled(licenseId, signer);
        delete signerExpiresAt[licenseId][signer];
        emit SignerDisabled(licenseId, signer, msg.sender);
    }

    /// Registers (`enabled`) or removes a redirect URI; setting the current state again is a no-op.
    function setRedirectUri(uint256 licenseId, string calldata uri, bool enabled) external onlyHolder(licenseId) {
        uint256 len = bytes(uri).length;
        if (len == 0 || len > MAX_URI_LENGTH) revert InvalidUri();
        bytes32 h = keccak256(bytes(uri));
        if (_redirectUris[licenseId][h] == enabled) return;
        _redirectUris[licenseId][h] = enabled;
        emit RedirectUriSet(licenseId, uri, enabled, msg.sender);
    }

    function isSigner(uint256 licenseId, address signer) external view returns (bool) {
        return signerExpiresAt[licenseId][signer] > block.timestamp;
    }

    function isRedirectUri(uint256 licenseId, string calldata uri) external view returns (bool) {
        return _redirectUris[licenseId][keccak256(bytes(uri))];
    }
}
