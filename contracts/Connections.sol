// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ProviderNft} from "./ProviderNft.sol";

/// Integration providers (Tesla, Smartcar, a device maker). Synthetic devices are minted under a connection.
contract Connections is ProviderNft {
    /// The provider's own address (e.g. the identity behind its mTLS certificate).
    mapping(uint256 => address) public connectionAddressOf;

    event ConnectionMinted(uint256 indexed connectionId, address indexed owner, string name, address connectionAddress);
    event ConnectionAddressSet(uint256 indexed connectionId, address connectionAddress);

    constructor(address admin) ERC721("DIMO Connection", "DCX") ProviderNft(admin) {}

    function mint(address to, string calldata name, address connectionAddress)
        external
        onlyRole(ISSUER_ROLE)
        returns (uint256 connectionId)
    {
        connectionId = _mintProvider(to, name);
        connectionAddressOf[connectionId] = connectionAddress;
        emit ConnectionMinted(connectionId, to, name, connectionAddress);
    }

    function setConnectionAddress(uint256 connectionId, address connectionAddress) external {
        _requireHolder(connectionId);
        connectionAddressOf[connectionId] = connectionAddress;
        emit ConnectionAddressSet(connectionId, connectionAddress);
    }
}
