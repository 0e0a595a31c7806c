// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// An ERC-721 whose per-token version bumps whenever the token changes hands or burns; consent grants are
/// keyed by it, so bumping the version voids every grant on the token in O(1).
interface IVersionedAsset {
    function tokenVersion(uint256 tokenId) external view returns (uint256);
}
