// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title Local stable token (USDC-like, 6 decimals)
/// @notice LOCAL/TEST ONLY. `mint` is open to anyone so the embedded chain and tests can fund apps
/// that pay through DimoPay in a stable coin. Never deploy this on a network with real value: there
/// point DimoPay and the PriceFeed at the real stable coin instead.
contract StableToken is ERC20, ERC20Permit {
    event LocalMint(address indexed to, uint256 amount, address indexed by);

    constructor() ERC20("Local USD Coin", "USDC") ERC20Permit("Local USD Coin") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// Open faucet (local only, see the contract notice).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
        emit LocalMint(to, amount, msg.sender);
    }
}
