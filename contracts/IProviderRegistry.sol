// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Connections and Manufacturers: who may mint devices under a provider token.
interface IProviderRegistry {
    function canMint(uint256 providerId, address account) external view returns (bool);

    function ownerOf(uint256 providerId) external view returns (address);
}
