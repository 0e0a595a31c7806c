// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Consulted by VehicleId when a node relays a mint, so licensing can refuse nodes below their stake.
interface IOnboardingGate {
    function canOnboard(address relayer) external view returns (bool);
}
