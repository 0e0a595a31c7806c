// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignedActions} from "./SignedActions.sol";
import {IVehicleDevice} from "./IVehicleDevice.sol";
import {IProviderRegistry} from "./IProviderRegistry.sol";
import {DeviceAddressRegistry} from "./DeviceAddressRegistry.sol";

/// Hardware devices: minted by their manufacturer, claimed by an owner with the device key's signature, then
/// paired with one vehicle with the consent of both owners (usually one person). Either owner may unpair, and
/// a transfer of either token ends the pairing, since the consent behind it came from the previous owner.
contract AftermarketDevice is ERC721, AccessControl, SignedActions, IVehicleDevice {
    struct Device {
        uint256 manufacturerId;
        address device;
        bool claimed;
        uint256 vehicleId; // zero = unpaired
    }

    /// Each owner either sends the transaction or signs; one signature covers both when they are the same.
    struct PairInput {
        uint256 aftermarketDeviceId;
        uint256 vehicleId;
        uint256 deadline;
        uint256 deviceOwnerNonce;
        bytes deviceOwnerSignature;
        uint256 vehicleOwnerNonce;
        bytes vehicleOwnerSignature;
    }

    bytes32 public constant CLAIM_TYPEHASH =
        keccak256("ClaimAftermarketDevice(uint256 aftermarketDeviceId,address owner,uint256 nonce,uint256 deadline)");
    bytes32 public constant PAIR_TYPEHASH =
        keccak256("PairAftermarketDevice(uint256 aftermarketDeviceId,uint256 vehicleId,uint256 nonce,uint256 deadline)");
    bytes32 public constant UNPAIR_TYPEHASH =
        keccak256("UnpairAftermarketDevice(uint256 aftermarketDeviceId,uint256 nonce,uint256 deadline)");

    IERC721 public immutable vehicles;
    IProviderRegistry public immutable manufacturers;
    DeviceAddressRegistry public immutable deviceRegistry;

    uint256 private _nextId = 1;
    mapping(uint256 => Device) private _devices;
    /// Vehicle → its paired aftermarket device (zero = none).
    mapping(uint256 => uint256) public deviceOfVehicle;
    mapping(address => uint256) public idOfDeviceAddress;

    event AftermarketDeviceMinted(
        uint256 indexed aftermarketDeviceId, uint256 indexed manufacturerId, address indexed device, address owner
    );
    event AftermarketDeviceClaimed(uint256 indexed aftermarketDeviceId, address indexed owner);
    event AftermarketDevicePaired(
        uint256 indexed aftermarketDeviceId, uint256 indexed vehicleId, address deviceOwner, address vehicleOwner
    );
    /// `by` is the owner who unpaired, or zero when a transfer of either token broke the pairing.
    event AftermarketDeviceUnpaired(uint256 indexed aftermarketDeviceId, uint256 indexed vehicleId, address indexed by);

    error OnlyVehicleContract();
    error VehicleNotFound(uint256 vehicleId);
    error NotManufacturerMinter(uint256 manufacturerId, address caller);
    error DeviceAddressUsed(address device);
    error DeviceAddressInvalid();
    error DeviceAlreadyClaimed(uint256 aftermarketDeviceId);
    error DeviceNotClaimed(uint256 aftermarketDeviceId);
    error DeviceAlreadyPaired(uint256 aftermarketDeviceId);
    error DeviceNotPaired(uint256 aftermarketDeviceId);
    error VehicleHasAftermarketDevice(uint256 vehicleId);
    error NotDeviceOwner(uint256 aftermarketDeviceId, address caller);
    error NotVehicleOwner(uint256 vehicleId, address caller);
    error NotAuthorizedToUnpair(uint256 aftermarketDeviceId, address caller);

    constructor(address vehicles_, address manufacturers_, address deviceRegistry_, address admin)
        ERC721("DIMO Aftermarket Device", "DIMO/AD")
        SignedActions("DIMO Aftermarket Device")
    {
        vehicles = IERC721(vehicles_);
        manufacturers = IProviderRegistry(manufacturers_);
        deviceRegistry = DeviceAddressRegistry(deviceRegistry_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // --- mint / claim ---

    /// Mints one token per device address to the manufacturer's holder; returns the first id (ids are
    /// consecutive).
    function mint(uint256 manufacturerId, address[] calldata devices) external returns (uint256 firstId) {
        if (!manufacturers.canMint(manufacturerId, msg.sender)) {
            revert NotManufacturerMinter(manufacturerId, msg.sender);
        }
        address holder = manufacturers.ownerOf(manufacturerId);
        firstId = _nextId;
        for (uint256 i = 0; i < devices.length; i++) {
            address device = devices[i];
            if (device == address(0)) revert DeviceAddressInvalid();
            if (deviceRegistry.isUsed(device)) revert DeviceAddressUsed(device);
            deviceRegistry.register(device);
            uint256 id = _nextId++;
            _devices[id] = Device(manufacturerId, device, false, 0);
            idOfDeviceAddress[device] = id;
            _mint(holder, id);
            emit AftermarketDeviceMinted(id, manufacturerId, device, holder);
        }
    }

    /// The caller becomes the owner; the device key's signature proves possession.
    function claim(uint256 aftermarketDeviceId, uint256 deadline, uint256 deviceNonce, bytes calldata deviceSignature)
        external
    {
        _claim(aftermarketDeviceId, msg.sender, deadline, deviceNonce, deviceSignature);
    }

    function claimBySig(
        uint256 aftermarketDeviceId,
        address owner,
        uint256 deadline,
        uint256 ownerNonce,
        bytes calldata ownerSignature,
        uint256 deviceNonce,
        bytes calldata deviceSignature
    ) external {
        _checkSigned(owner, _claimHash(aftermarketDeviceId, owner, ownerNonce, deadline), ownerNonce, deadline, ownerSignature);
        _claim(aftermarketDeviceId, owner, deadline, deviceNonce, deviceSignature);
    }

    // --- pair / unpair ---

    /// The caller owns both the device and the vehicle.
    function pair(uint256 aftermarketDeviceId, uint256 vehicleId) external {
        address deviceOwner = _requireOwned(aftermarketDeviceId);
        address vehicleOwner = _vehicleOwner(vehicleId);
        if (msg.sender != deviceOwner) revert NotDeviceOwner(aftermarketDeviceId, msg.sender);
        if (msg.sender != vehicleOwner) revert NotVehicleOwner(vehicleId, msg.sender);
        _pair(aftermarketDeviceId, vehicleId, deviceOwner, vehicleOwner);
    }

    /// Relayed, or across two owners: every owner who is not the caller signs PairAftermarketDevice.
    function pairBySig(PairInput calldata p) external {
        address deviceOwner = _requireOwned(p.aftermarketDeviceId);
        address vehicleOwner = _vehicleOwner(p.vehicleId);
        if (msg.sender != deviceOwner) {
            _checkSigned(
                deviceOwner, _pairHash(p, p.deviceOwnerNonce), p.deviceOwnerNonce, p.deadline, p.deviceOwnerSignature
            );
        }
        if (msg.sender != vehicleOwner && vehicleOwner != deviceOwner) {
            _checkSigned(
                vehicleOwner, _pairHash(p, p.vehicleOwnerNonce), p.vehicleOwnerNonce, p.deadline, p.vehicleOwnerSignature
            );
        }
        _pair(p.aftermarketDeviceId, p.vehicleId, deviceOwner, vehicleOwner);
    }

    /// Either the device owner or the paired vehicle's owner may unpair.
    function unpair(uint256 aftermarketDeviceId) external {
        _unpairBy(aftermarketDeviceId, msg.sender);
    }

    function unpairBySig(
        uint256 aftermarketDeviceId,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(abi.encode(UNPAIR_TYPEHASH, aftermarketDeviceId, nonce, deadline));
        _checkSigned(signer, structHash, nonce, deadline, signature);
        _unpairBy(aftermarketDeviceId, signer);
    }

    // --- views ---

    function deviceOf(uint256 aftermarketDeviceId) external view returns (Device memory) {
        _requireOwned(aftermarketDeviceId);
        return _devices[aftermarketDeviceId];
    }

    function vehicleHasDevice(uint256 vehicleId) external view returns (bool) {
        return deviceOfVehicle[vehicleId] != 0;
    }

    /// A vehicle transfer ends its aftermarket pairing.
    function onVehicleTransfer(uint256 vehicleId, address) external {
        if (msg.sender != address(vehicles)) revert OnlyVehicleContract();
        uint256 id = deviceOfVehicle[vehicleId];
        if (id != 0) _unpair(id, address(0));
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // --- internals ---

    function _claim(uint256 id, address owner, uint256 deadline, uint256 deviceNonce, bytes calldata deviceSignature)
        private
    {
        _requireOwned(id);
        Device storage d = _devices[id];
        if (d.claimed) revert DeviceAlreadyClaimed(id);
        _checkSigned(d.device, _claimHash(id, owner, deviceNonce, deadline), deviceNonce, deadline, deviceSignature);
        d.claimed = true;
        _update(owner, id, address(0));
        emit AftermarketDeviceClaimed(id, owner);
    }

    function _pair(uint256 id, uint256 vehicleId, address deviceOwner, address vehicleOwner) private {
        Device storage d = _devices[id];
        if (!d.claimed) revert DeviceNotClaimed(id);
        if (d.vehicleId != 0) revert DeviceAlreadyPaired(id);
        if (deviceOfVehicle[vehicleId] != 0) revert VehicleHasAftermarketDevice(vehicleId);
        d.vehicleId = vehicleId;
        deviceOfVehicle[vehicleId] = id;
        emit AftermarketDevicePaired(id, vehicleId, deviceOwner, vehicleOwner);
    }

    function _unpairBy(uint256 id, address by) private {
        address deviceOwner = _requireOwned(id);
        uint256 vehicleId = _devices[id].vehicleId;
        if (vehicleId == 0) revert DeviceNotPaired(id);
        if (by != deviceOwner && by != _vehicleOwner(vehicleId)) revert NotAuthorizedToUnpair(id, by);
        _unpair(id, by);
    }

    function _unpair(uint256 id, address by) private {
        uint256 vehicleId = _devices[id].vehicleId;
        _devices[id].vehicleId = 0;
        delete deviceOfVehicle[vehicleId];
        emit AftermarketDeviceUnpaired(id, vehicleId, by);
    }

    /// Moving a paired device ends the pairing (claiming never meets a paired device).
    function _update(address to, uint256 id, address auth) internal override returns (address from) {
        from = super._update(to, id, auth);
        if (from != address(0) && to != address(0) && _devices[id].vehicleId != 0) _unpair(id, address(0));
    }

    function _pairHash(PairInput calldata p, uint256 nonce) private pure returns (bytes32) {
        return keccak256(abi.encode(PAIR_TYPEHASH, p.aftermarketDeviceId, p.vehicleId, nonce, p.deadline));
    }

    function _claimHash(uint256 id, address owner, uint256 nonce, uint256 deadline) private pure returns (bytes32) {
        return keccak256(abi.encode(CLAIM_TYPEHASH, id, owner, nonce, deadline));
    }

    function _vehicleOwner(uint256 vehicleId) private view returns (address) {
        try vehicles.ownerOf(vehicleId) returns (address owner) {
            return owner;
        } catch {
            revert VehicleNotFound(vehicleId);
        }
    }
}
