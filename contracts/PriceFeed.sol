// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Governance-set price feed for DimoPay conversions
/// @notice Prices are quoted per whole DIMO: `price(token)` is how many base units of `token` one
/// DIMO (1e18 wei) is worth, as an 18-decimal fixed-point number. Example: DIMO at $0.25 and a
/// 6-decimal USDC → 1 DIMO = 250,000 USDC units → price = 250_000e18. DIMO itself is always 1:1 and
/// needs no entry. A price is set by governance only (the Timelock), so no single operator can
/// move what apps pay.
contract PriceFeed is AccessControl {
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");

    /// The DIMO token; quotes for it are the identity.
    address public immutable dimo;

    struct Price {
        uint256 priceE18;
        uint64 updatedAt;
    }

    mapping(address token => Price) private _prices;

    /// `priceE18` = token base units per 1 DIMO, ×1e18; 0 removes the token (payments in it refused).
    event PriceSet(address indexed token, uint256 priceE18, uint64 updatedAt);

    error PriceUnavailable(address token);
    error DimoPriceFixed();

    constructor(address admin, address dimoToken) {
        dimo = dimoToken;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
    }

    function setPrice(address token, uint256 priceE18) external onlyRole(GOVERNANCE_ROLE) {
        if (token == dimo) revert DimoPriceFixed();
        uint64 at = uint64(block.timestamp);
        _prices[token] = Price(priceE18, at);
        emit PriceSet(token, priceE18, at);
    }

    /// (price ×1e18 of one DIMO in `token` units, last update time); DIMO itself is (1e18, 0).
    function priceOf(address token) external view returns (uint256 priceE18, uint64 updatedAt) {
        if (token == dimo) return (1e18, 0);
        Price memory p = _prices[token];
        return (p.priceE18, p.updatedAt);
    }

    /// Amount of `token` worth `dimoAmount` DIMO wei, rounded UP (the payer covers the rounding, the
    /// recipients are never short). Reverts PriceUnavailable for tokens without a price.
    function quote(address token, uint256 dimoAmount) external view returns (uint256) {
        if (token == dimo) return dimoAmount;
        uint256 p = _prices[token].priceE18;
        if (p == 0) revert PriceUnavailable(token);
        return Math.mulDiv(dimoAmount, p, 1e36, Math.Rounding.Ceil);
    }
}
