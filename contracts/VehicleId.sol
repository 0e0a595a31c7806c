// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SignedActions} from "./SignedActions.sol";
import {IOnboardingGate} from "./IOnboardingGate.sol";
import {IVehicleDevice} from "./IVehicleDevice.sol";
import {IVersionedAsset} from "./IVersionedAsset.sol";

/// DIMO Vehicle ID. Only the owner moves a vehicle (no approvals), the synthetic device follows it, and
/// every ownership change bumps the token version, which voids all consent grants on it at once.
contract VehicleId is ERC721, AccessControl, SignedActions, IVersionedAsset {
    /// `vinHash` is a commitment (the node salts it); a plaintext VIN never goes on chain.
    struct Attributes {
        string make;
        string model;
        uint16 year;
        bytes32 vinHash;
    }

    bytes32 public constant MINT_TYPEHASH = keccak256(
        "MintVehicle(address owner,string make,string model,uint16 year,bytes32 vinHash,uint256 nonce,uint256 deadline)"
    );
    uint256 public constant MAX_ATTRIBUTE_LENGTH = 64;

    uint256 private _nextId = 1;
    mapping(uint256 => Attributes) private _attributes;
    mapping(uint256 => uint256) private _versions;

    IOnboardingGate public onboardingGate;
    IVehicleDevice public syntheticDevice;
    IVehicleDevice public aftermarketDevice;

    event VehicleMinted(
        uint256 indexed vehicleId,
        address indexed owner,
        address indexed relayer,
        string make,
        string model,
        uint16 year,
        bytes32 vinHash
    );
    /// `version` is the new token version; grants made under any earlier version are void.
    event VehicleTransferred(uint256 indexed vehicleId, address indexed from, address indexed to, uint256 version);
    event VehicleBurned(uint256 indexed vehicleId, address indexed owner, uint256 version);
    event OnboardingGateSet(address gate);
    event DeviceContractsSet(address syntheticDevice, address aftermarketDevice);

    error ApprovalsDisabled();
    error AttributesInvalid();
    error NotVehicleOwner(uint256 vehicleId, address caller);
    error VehicleHasDevices(uint256 vehicleId);
    error RelayerNotAllowed(address relayer);

    constructor(address admin) ERC721("DIMO Vehicle ID", "DIMO") SignedActions("DIMO Vehicle ID") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // --- admin ---

    /// Zero address = open onboarding.
    function setOnboardingGate(address gate) external onlyRole(DEFAULT_ADMIN_ROLE) {
        onboardingGate = IOnboardingGate(gate);
        emit OnboardingGateSet(gate);
    }

    function setDeviceContracts(address synthetic, address aftermarket) external onlyRole(DEFAULT_ADMIN_ROLE) {
        syntheticDevice = IVehicleDevice(synthetic);
        aftermarketDevice = IVehicleDevice(aftermarket);
        emit DeviceContractsSet(synthetic, aftermarket);
    }

    // --- mint / burn ---

    function mint(Attributes calldata attributes) external returns (uint256) {
        return _mintVehicle(msg.sender, attributes);
    }

    /// Relayed mint (typically by a node): the owner's signature authorises it, the gate vets the relayer.
    function mintBySig(
        address owner,
        Attributes calldata attributes,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        IOnboardingGate gate = onboardingGate;
        if (address(gate) != address(0) && !gate.canOnboard(msg.sender)) revert RelayerNotAllowed(msg.sender);
        bytes32 structHash = keccak256(
            abi.encode(
                MINT_TYPEHASH,
                owner,
                keccak256(bytes(attributes.make)),
                keccak256(bytes(attributes.model)),
                attributes.year,
                attributes.vinHash,
                nonce,
                deadline
            )
        );
        _checkSigned(owner, structHash, nonce, deadline, signature);
        return _mintVehicle(owner, attributes);
    }

    /// Only with no device paired; clears attributes and voids every grant.
    function burn(uint256 vehicleId) external {
        address owner = _requireOwned(vehicleId);
        if (owner != msg.sender) revert NotVehicleOwner(vehicleId, msg.sender);
        if (hasDevices(vehicleId)) revert VehicleHasDevices(vehicleId);
        delete _attributes[vehicleId];
        uint256 version = ++_versions[vehicleId];
        _burn(vehicleId);
        emit VehicleBurned(vehicleId, owner, version);
    }

    // --- views ---

    function attributesOf(uint256 vehicleId) external view returns (Attributes memory) {
        _requireOwned(vehicleId);
        return _attributes[vehicleId];
    }

    function tokenVersion(uint256 vehicleId) external view returns (uint256) {
        return _versions[vehicleId];
    }

    function hasDevices(uint256 vehicleId) public view returns (bool) {
        IVehicleDevice synthetic = syntheticDevice;
        IVehicleDevice aftermarket = aftermarketDevice;
        return (address(synthetic) != address(0) && synthetic.vehicleHasDevice(vehicleId))
            || (address(aftermarket) != address(0) && aftermarket.vehicleHasDevice(vehicleId));
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    // --- transfer rules ---

    function approve(address, uint256) public pure override {
        revert ApprovalsDisabled();
    }

    function setApprovalForAll(address, bool) public pure override {
        revert ApprovalsDisabled();
    }

    /// Only the owner itself may move a vehicle; operators are never authorised.
    function _isAuthorized(address owner, address spender, uint256) internal pure override returns (bool) {
        return spender != address(0) && spender == owner;
    }

    function _update(address to, uint256 vehicleId, address auth) internal override returns (address from) {
        from = super._update(to, vehicleId, auth);
        if (from != address(0) && to != address(0)) {
            uint256 version = ++_versions[vehicleId];
            emit VehicleTransferred(vehicleId, from, to, version);
            IVehicleDevice synthetic = syntheticDevice;
            IVehicleDevice aftermarket = aftermarketDevice;
            if (address(synthetic) != address(0)) synthetic.onVehicleTransfer(vehicleId, to);
            if (address(aftermarket) != address(0)) aftermarket.onVehicleTransfer(vehicleId, to);
        }
    }

    function _mintVehicle(address owner, Attributes calldata attributes) private returns (uint256 vehicleId) {
        uint256 makeLength = bytes(attributes.make).length;
        uint256 modelLength = bytes(attributes.model).length;
        if (
            makeLength == 0 || makeLength > MAX_ATTRIBUTE_LENGTH || modelLength == 0
                || modelLength > MAX_ATTRIBUTE_LENGTH
        ) revert AttributesInvalid();
        vehicleId = _nextId++;
        _attributes[vehicleId] = attributes;
        _mint(owner, vehicleId);
        emit VehicleMinted(
            vehicleId, owner, msg.sender, attributes.make, attributes.model, attributes.year, attributes.vinHash
        );
    }
}
