// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignedActions} from "./SignedActions.sol";
import {IVehicleDevice} from "./IVehicleDevice.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";
import {DeviceAddressRegistry} from "./DeviceAddressRegistry.sol";

/// A vehicle's connection through an integration provider (OEM API), identified by the per-connection device
/// signing address. One per vehicle; the token always belongs to the vehicle's owner and moves only with it.
contract SyntheticDevice is ERC721, AccessControl, SignedActions, IVehicleDevice {
    struct Device {
        uint256 vehicleId;
        uint256 connectionId;
        address device;
    }

    /// Signed by both the vehicle owner and the device key, each with its own nonce.
    struct MintInput {
        uint256 connectionId;
        uint256 vehicleId;
        address device;
        uint256 deadline;
        uint256 ownerNonce;
        bytes ownerSignature;
        uint256 deviceNonce;
        bytes deviceSignature;
    }

    bytes32 public constant MINT_TYPEHASH = keccak256(
        "MintSyntheticDevice(uint256 connectionId,uint256 vehicleId,address device,uint256 nonce,uint256 deadline)"
    );

    IERC721 public immutable vehicles;
    IProviderRegistry public immutable connections;
    DeviceAddressRegistry public immutable deviceRegistry;

    uint256 private _nextId = 1;
    mapping(uint256 => Device) private _devices;
    /// Vehicle → its synthetic device (zero = none).
    mapping(uint256 => uint256) public deviceOfVehicle;
    /// Device signing address → synthetic device (kept after burn for attribution of old records).
    mapping(address => uint256) public idOfDeviceAddress;

    event SyntheticDeviceMinted(
        uint256 indexed syntheticDeviceId,
        uint256 indexed vehicleId,
        uint256 indexed connectionId,
        address device,
        address owner,
        address minter
    );
    /// `by` is the vehicle owner or the connection (holder or its minter) that disconnected it.
    event SyntheticDeviceBurned(
        uint256 indexed syntheticDeviceId,
        uint256 indexed vehicleId,
        uint256 indexed connectionId,
        address device,
        address by
    );

    error ApprovalsDisabled();
    error TransferNotAllowed();
    error OnlyVehicleContract();
    error VehicleNotFound(uint256 vehicleId);
    error NotConnectionMinter(uint256 connectionId, address caller);
    error VehicleHasSyntheticDevice(uint256 vehicleId);
    error DeviceAddressUsed(address device);
    error DeviceAddressInvalid();
    error NotAuthorizedToBurn(uint256 syntheticDeviceId, address caller);

    constructor(address vehicles_, address connections_, address deviceRegistry_, address admin)
        ERC721("DIMO Synthetic Device", "DIMO/SD")
        SignedActions("DIMO Synthetic Device")
    {
        vehicles = IERC721(vehicles_);
        connections = IProviderRegistry(connections_);
        deviceRegistry = DeviceAddressRegistry(deviceRegistry_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// Called by the connection holder or an address it authorised.
    function mint(MintInput calldata input) external returns (uint256 syntheticDeviceId) {
        if (!connections.canMint(input.connectionId, msg.sender)) {
            revert NotConnectionMinter(input.connectionId, msg.sender);
        }
        address owner = _vehicleOwner(input.vehicleId);
        if (deviceOfVehicle[input.vehicleId] != 0) revert VehicleHasSyntheticDevice(input.vehicleId);
        if (input.device == address(0)) revert DeviceAddressInvalid();
        if (deviceRegistry.isUsed(input.device)) revert DeviceAddressUsed(input.device);

        _checkSigned(owner, _mintHash(input, input.ownerNonce), input.ownerNonce, input.deadline, input.ownerSignature);
        _checkSigned(
            input.device, _mintHash(input, input.deviceNonce), input.deviceNonce, input.deadline, input.deviceSignature
        );

        deviceRegistry.register(input.device);
        syntheticDeviceId = _nextId++;
        _devices[syntheticDeviceId] = Device(input.vehicleId, input.connectionId, input.device);
        deviceOfVehicle[input.vehicleId] = syntheticDeviceId;
        idOfDeviceAddress[input.device] = syntheticDeviceId;
        _mint(owner, syntheticDeviceId);
        emit SyntheticDeviceMinted(
            syntheticDeviceId, input.vehicleId, input.connectionId, input.device, owner, msg.sender
        );
    }

    /// By the vehicle owner, or by the connection to disconnect. The device address stays used forever.
    function burn(uint256 syntheticDeviceId) external {
        address owner = _requireOwned(syntheticDeviceId);
        Device memory d = _devices[syntheticDeviceId];
        if (msg.sender != owner && !connections.canMint(d.connectionId, msg.sender)) {
            revert NotAuthorizedToBurn(syntheticDeviceId, msg.sender);
        }
        delete deviceOfVehicle[d.vehicleId];
        delete _devices[syntheticDeviceId];
        _burn(syntheticDeviceId);
        emit SyntheticDeviceBurned(syntheticDeviceId, d.vehicleId, d.connectionId, d.device, msg.sender);
    }

    function deviceOf(uint256 syntheticDeviceId) external view returns (Device memory) {
        _requireOwned(syntheticDeviceId);
        return _devices[syntheticDeviceId];
    }

    function vehicleHasDevice(uint256 vehicleId) external view returns (bool) {
        return deviceOfVehicle[vehicleId] != 0;
    }

    /// The synthetic device follows its vehicle to the new owner.
    function onVehicleTransfer(uint256 vehicleId, address to) external {
        if (msg.sender != address(vehicles)) revert OnlyVehicleContract();
        uint256 syntheticDeviceId = deviceOfVehicle[vehicleId];
        if (syntheticDeviceId != 0) _update(to, syntheticDeviceId, address(0));
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function approve(address, uint256) public pure override {
        revert ApprovalsDisabled();
    }

    function setApprovalForAll(address, bool) public pure override {
        revert ApprovalsDisabled();
    }

    /// Public transfers carry an `auth`; internal mint, burn and follow-the-vehicle moves do not.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (auth != address(0)) revert TransferNotAllowed();
        return super._update(to, tokenId, auth);
    }

    function _mintHash(MintInput calldata input, uint256 nonce) private pure returns (bytes32) {
        return keccak256(
            abi.encode(MINT_TYPEHASH, input.connectionId, input.vehicleId, input.device, nonce, input.deadline)
        );
    }

    function _vehicleOwner(uint256 vehicleId) private view returns (address) {
        try vehicles.ownerOf(vehicleId) returns (address owner) {
            return owner;
        } catch {
            revert VehicleNotFound(vehicleId);
        }
    }
}
