// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ProviderNft} from "./ProviderNft.sol";

/// Hardware makers. Aftermarket devices are minted under a manufacturer.
contract Manufacturers is ProviderNft {
    event ManufacturerMinted(uint256 indexed manufacturerId, address indexed owner, string name);

    constructor(address admin) ERC721("DIMO Manufacturer ID", "DIMO/MFR") ProviderNft(admin) {}

    function mint(address to, string calldata name) external onlyRole(ISSUER_ROLE) returns (uint256 manufacturerId) {
        manufacturerId = _mintProvider(to, name);
        emit ManufacturerMinted(manufacturerId, to, name);
    }
}
