// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignedActions} from "./SignedActions.sol";
import {IVersionedAsset} from "./IVersionedAsset.sol";

/// Consent grants (SACD-like). Privilege N occupies bits 2N and 2N+1 of a uint256 and is held only when both
/// are set. Per-token grants are keyed by the token's version, so a transfer or burn voids them all at once
/// (and transferring back does not revive them); account grants cover every supported token the grantor
/// currently owns. A grant is valid while expiration > block.timestamp.
contract Permissions is AccessControl, SignedActions {
    struct Grant {
        uint256 permissions;
        address grantor;
        uint64 expiration;
        bytes32 source; // keccak256 of the signed consent document
    }

    struct GrantInput {
        address asset;
        uint256 tokenId;
        address grantee;
        uint256 permissions;
        uint256 expiration;
        bytes32 source;
    }

    struct AccountGrantInput {
        address grantee;
        uint256 permissions;
        uint256 expiration;
        bytes32 source;
    }

    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address asset,uint256 tokenId,address grantee,uint256 permissions,uint256 expiration,bytes32 source,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("Revoke(address asset,uint256 tokenId,address grantee,uint256 nonce,uint256 deadline)");
    bytes32 public constant GRANT_ACCOUNT_TYPEHASH = keccak256(
        "GrantAccount(address grantee,uint256 permissions,uint256 expiration,bytes32 source,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant REVOKE_ACCOUNT_TYPEHASH =
        keccak256("RevokeAccount(address grantee,uint256 nonce,uint256 deadline)");

    /// The low bit of every privilege pair (bits 0, 2, 4, ...).
    uint256 private constant LOW_BITS = 0x5555555555555555555555555555555555555555555555555555555555555555;

    mapping(address => bool) public isSupportedAsset;
    mapping(bytes32 => Grant) private _tokenGrants;
    mapping(address => mapping(address => Grant)) private _accountGrants; // grantor → grantee

    event AssetSupportSet(address indexed asset, bool supported);
    /// Replaces any grant for (asset, tokenId, version, grantee).
    event PermissionsGranted(
        address indexed asset,
        uint256 indexed tokenId,
        address indexed grantee,
        address grantor,
        uint256 version,
        uint256 permissions,
        uint256 expiration,
        bytes32 source
    );
    event PermissionsRevoked(
        address indexed asset, uint256 indexed tokenId, address indexed grantee, address grantor, uint256 version
    );
    event PermissionsRenounced(
        address indexed asset, uint256 indexed tokenId, address indexed grantee, address grantor, uint256 version
    );
    /// Replaces any account grant for (grantor, grantee).
    event AccountPermissionsGranted(
        address indexed grantor, address indexed grantee, uint256 permissions, uint256 expiration, bytes32 source
    );
    event AccountPermissionsRevoked(address indexed grantor, address indexed grantee);
    event AccountPermissionsRenounced(address indexed grantor, address indexed grantee);

    error AssetNotSupported(address asset);
    error TokenNotFound(address asset, uint256 tokenId);
    error NotTokenOwner(address asset, uint256 tokenId, address caller);
    error PermissionsInvalid(uint256 permissions);
    error ExpirationInvalid(uint256 expiration);
    error GrantNotFound();

    constructor(address admin) SignedActions("DIMO Permissions") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// Supported assets must implement IVersionedAsset and bump the version on every ownership change.
    function setAssetSupported(address asset, bool supported) external onlyRole(DEFAULT_ADMIN_ROLE) {
        isSupportedAsset[asset] = supported;
        emit AssetSupportSet(asset, supported);
    }

    // --- per-token grants ---

    function grant(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 permissions,
        uint256 expiration,
        bytes32 source
    ) external {
        _grant(msg.sender, GrantInput(asset, tokenId, grantee, permissions, expiration, source));
    }

    /// Relayed grant: the token's current owner signed it.
    function grantBySig(GrantInput calldata g, uint256 nonce, uint256 deadline, bytes calldata signature) external {
        address owner = _currentOwner(g.asset, g.tokenId);
        bytes32 structHash = keccak256(
            abi.encode(
                GRANT_TYPEHASH, g.asset, g.tokenId, g.grantee, g.permissions, g.expiration, g.source, nonce, deadline
            )
        );
        _checkSigned(owner, structHash, nonce, deadline, signature);
        _grant(owner, g);
    }

    function revoke(address asset, uint256 tokenId, address grantee) external {
        _revoke(msg.sender, asset, tokenId, grantee);
    }

    function revokeBySig(
        address asset,
        uint256 tokenId,
        address grantee,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _currentOwner(asset, tokenId);
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, asset, tokenId, grantee, nonce, deadline));
        _checkSigned(owner, structHash, nonce, deadline, signature);
        _revoke(owner, asset, tokenId, grantee);
    }

    /// The grantee gives up its grant on a token.
    function renounce(address asset, uint256 tokenId) external {
        address owner = _currentOwner(asset, tokenId);
        uint256 version = IVersionedAsset(asset).tokenVersion(tokenId);
        bytes32 key = _tokenKey(asset, tokenId, version, msg.sender);
        if (_tokenGrants[key].grantor != owner) revert GrantNotFound();
        delete _tokenGrants[key];
        emit PermissionsRenounced(asset, tokenId, msg.sender, owner, version);
    }

    // --- account grants ---

    function grantAccount(address grantee, uint256 permissions, uint256 expiration, bytes32 source) external {
        _grantAccount(msg.sender, AccountGrantInput(grantee, permissions, expiration, source));
    }

    function grantAccountBySig(
        address grantor,
        AccountGrantInput calldata g,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(GRANT_ACCOUNT_TYPEHASH, g.grantee, g.permissions, g.expiration, g.source, nonce, deadline)
        );
        _checkSigned(grantor, structHash, nonce, deadline, signature);
        _grantAccount(grantor, g);
    }

    function revokeAccount(address grantee) external {
        _revokeAccount(msg.sender, grantee);
    }

    function revokeAccountBySig(
        address grantor,
        address grantee,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(REVOKE_ACCOUNT_TYPEHASH, grantee, nonce, deadline));
        _checkSigned(grantor, structHash, nonce, deadline, signature);
        _revokeAccount(grantor, grantee);
    }

    function renounceAccount(address grantor) external {
        if (_accountGrants[grantor][msg.sender].grantor == address(0)) revert GrantNotFound();
        delete _accountGrants[grantor][msg.sender];
        emit AccountPermissionsRenounced(grantor, msg.sender);
    }

    // --- views (current owner, current version, unexpired only) ---

    /// Union of the grantee's per-token and account grants, intersected with `mask`.
    function getPermissions(address asset, uint256 tokenId, address grantee, uint256 mask)
        public
        view
        returns (uint256)
    {
        return _effectivePermissions(asset, tokenId, grantee) & mask;
    }

    /// True only if every privilege in `mask` is held; an empty mask is never held.
    function hasPrivileges(address asset, uint256 tokenId, address grantee, uint256 mask)
        external
        view
        returns (bool)
    {
        return mask != 0 && getPermissions(asset, tokenId, grantee, mask) == mask;
    }

    function hasPrivilege(address asset, uint256 tokenId, address grantee, uint256 privilegeId)
        external
        view
        returns (bool)
    {
        if (privilegeId == 0 || privilegeId > 127) return false;
        uint256 bits = uint256(3) << (2 * privilegeId);
        return getPermissions(asset, tokenId, grantee, bits) == bits;
    }

    /// The stored grant at the token's current version (may be expired; zero grantor = none).
    function tokenGrant(address asset, uint256 tokenId, address grantee)
        external
        view
        returns (Grant memory g, uint256 version)
    {
        version = IVersionedAsset(asset).tokenVersion(tokenId);
        g = _tokenGrants[_tokenKey(asset, tokenId, version, grantee)];
    }

    function accountGrant(address grantor, address grantee) external view returns (Grant memory) {
        return _accountGrants[grantor][grantee];
    }

    // --- internals ---

    function _grant(address grantor, GrantInput memory g) private {
        address owner = _currentOwner(g.asset, g.tokenId);
        if (owner != grantor) revert NotTokenOwner(g.asset, g.tokenId, grantor);
        _validate(g.permissions, g.expiration);
        uint256 version = IVersionedAsset(g.asset).tokenVersion(g.tokenId);
        _tokenGrants[_tokenKey(g.asset, g.tokenId, version, g.grantee)] =
            Grant(g.permissions, grantor, uint64(g.expiration), g.source);
        emit PermissionsGranted(
            g.asset, g.tokenId, g.grantee, grantor, version, g.permissions, g.expiration, g.source
        );
    }

    function _revoke(address grantor, address asset, uint256 tokenId, address grantee) private {
        address owner = _currentOwner(asset, tokenId);
        if (owner != grantor) revert NotTokenOwner(asset, tokenId, grantor);
        uint256 version = IVersionedAsset(asset).tokenVersion(tokenId);
        bytes32 key = _tokenKey(asset, tokenId, version, grantee);
        if (_tokenGrants[key].grantor != owner) revert GrantNotFound();
        delete _tokenGrants[key];
        emit PermissionsRevoked(asset, tokenId, grantee, grantor, version);
    }

    function _grantAccount(address grantor, AccountGrantInput memory g) private {
        _validate(g.permissions, g.expiration);
        _accountGrants[grantor][g.grantee] = Grant(g.permissions, grantor, uint64(g.expiration), g.source);
        emit AccountPermissionsGranted(grantor, g.grantee, g.permissions, g.expiration, g.source);
    }

    function _revokeAccount(address grantor, address grantee) private {
        if (_accountGrants[grantor][grantee].grantor == address(0)) revert GrantNotFound();
        delete _accountGrants[grantor][grantee];
        emit AccountPermissionsRevoked(grantor, grantee);
    }

    /// Every privilege pair is both-or-neither, privilege 0 does not exist, and the grant must be non-empty.
    function _validate(uint256 permissions, uint256 expiration) private view {
        if (permissions == 0 || permissions & 3 != 0 || (permissions & LOW_BITS) != ((permissions >> 1) & LOW_BITS)) {
            revert PermissionsInvalid(permissions);
        }
        if (expiration <= block.timestamp || expiration > type(uint64).max) revert ExpirationInvalid(expiration);
    }

    function _effectivePermissions(address asset, uint256 tokenId, address grantee)
        private
        view
        returns (uint256 permissions)
    {
        if (!isSupportedAsset[asset]) return 0;
        address owner;
        try IERC721(asset).ownerOf(tokenId) returns (address o) {
            owner = o;
        } catch {
            return 0;
        }
        uint256 version = IVersionedAsset(asset).tokenVersion(tokenId);
        Grant storage t = _tokenGrants[_tokenKey(asset, tokenId, version, grantee)];
        if (t.grantor == owner && t.expiration > block.timestamp) permissions = t.permissions;
        Grant storage a = _accountGrants[owner][grantee];
        if (a.expiration > block.timestamp) permissions |= a.permissions;
    }

    function _currentOwner(address asset, uint256 tokenId) private view returns (address) {
        if (!isSupportedAsset[asset]) revert AssetNotSupported(asset);
        try IERC721(asset).ownerOf(tokenId) returns (address owner) {
            return owner;
        } catch {
            revert TokenNotFound(asset, tokenId);
        }
    }

    function _tokenKey(address asset, uint256 tokenId, uint256 version, address grantee)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(asset, tokenId, version, grantee));
    }
}
