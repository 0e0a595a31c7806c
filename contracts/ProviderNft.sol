// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";

/// A named provider token (connection, manufacturer) issued by ISSUER_ROLE. Its holder, and addresses the
/// holder authorises, may mint devices under it. Authorisations are cleared when the token changes hands.
abstract contract ProviderNft is ERC721, AccessControl, IProviderRegistry {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    uint256 public constant MAX_NAME_LENGTH = 64;

    uint256 private _nextId = 1;
    mapping(uint256 => string) private _names;
    mapping(bytes32 => uint256) private _idByNameHash;
    /// Bumped on transfer; minter authorisations live under the current epoch only.
    mapping(uint256 => uint256) private _minterEpoch;
    mapping(uint256 => mapping(uint256 => mapping(address => bool))) private _minters;

    event MinterSet(uint256 indexed providerId, address indexed minter, bool allowed);
    event MintersCleared(uint256 indexed providerId);

    error NameInvalid();
    error NameTaken(string name);
    error NotProviderHolder(uint256 providerId, address caller);

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, admin);
    }

    function setMinter(uint256 providerId, address minter, bool allowed) external {
        _requireHolder(providerId);
        _minters[providerId][_minterEpoch[providerId]][minter] = allowed;
        emit MinterSet(providerId, minter, allowed);
    }

    function canMint(uint256 providerId, address account) public view returns (bool) {
        address holder = _ownerOf(providerId);
        if (holder == address(0)) return false;
        return account == holder || _minters[providerId][_minterEpoch[providerId]][account];
    }

    function ownerOf(uint256 providerId) public view override(ERC721, IProviderRegistry) returns (address) {
        return super.ownerOf(providerId);
    }

    function nameOf(uint256 providerId) external view returns (string memory) {
        _requireOwned(providerId);
        return _names[providerId];
    }

    /// Zero when no provider has that name.
    function idOfName(string calldata name) external view returns (uint256) {
        return _idByNameHash[keccak256(bytes(name))];
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _mintProvider(address to, string calldata name) internal returns (uint256 id) {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert NameInvalid();
        bytes32 nameHash = keccak256(bytes(name));
        if (_idByNameHash[nameHash] != 0) revert NameTaken(name);
        id = _nextId++;
        _names[id] = name;
        _idByNameHash[nameHash] = id;
        _mint(to, id);
    }

    function _requireHolder(uint256 providerId) internal view {
        if (_ownerOf(providerId) != msg.sender) revert NotProviderHolder(providerId, msg.sender);
    }

    function _update(address to, uint256 tokenId, address auth) internal virtual override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0) && to != address(0)) {
            _minterEpoch[tokenId]++;
            emit MintersCleared(tokenId);
        }
    }
}
