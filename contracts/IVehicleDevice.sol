// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Implemented by the device collections (synthetic, aftermarket) so VehicleId can refuse burning a paired
/// vehicle and let devices react when the vehicle changes hands.
interface IVehicleDevice {
    function vehicleHasDevice(uint256 vehicleId) external view returns (bool);

    /// Called by VehicleId only, after the vehicle moved to `to`.
    function onVehicleTransfer(uint256 vehicleId, address to) external;
}
