// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// Device signing addresses used by any device collection. An address is registered once, forever (burning
/// the device does not free it), so a signed record can never be attributed to a different device.
contract DeviceAddressRegistry is AccessControl {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// Device address → the collection that registered it (zero = unused).
    mapping(address => address) public registrarOf;

    event DeviceAddressRegistered(address indexed device, address indexed registrar);

    error DeviceAddressUsed(address device);
    error DeviceAddressInvalid();

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function isUsed(address device) external view returns (bool) {
        return registrarOf[device] != address(0);
    }

    function register(address device) external onlyRole(REGISTRAR_ROLE) {
        if (device == address(0)) revert DeviceAddressInvalid();
        if (registrarOf[device] != address(0)) revert DeviceAddressUsed(device);
        registrarOf[device] = msg.sender;
        emit DeviceAddressRegistered(device, msg.sender);
    }
}
