// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Issuance} from "./Issuance.sol";

/// @title Weekly rewards payout
/// @notice Holds the rewards budgets Issuance mints here. Rewards are computed off-chain
/// deterministically; the node (REWARDS_POSTER_ROLE) posts each week's result as a Merkle root with
/// its total, which may not exceed that week's rewards budget. Beneficiaries (or anyone for them)
/// claim with a proof. Leaves are OpenZeppelin-standard double-hashed:
///   leaf = keccak256(bytes.concat(keccak256(abi.encode(uint256 week, uint256 vehicleId, address beneficiary, uint256 amount))))
/// (StandardMerkleTree over ["uint256","uint256","address","uint256"]). A vehicle is paid at most once
/// per week and a week's claims never exceed its posted total (hence its budget).
/// A root may be replaced until the first claim of its week; afterwards it is final.
contract RewardsPayout is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant REWARDS_POSTER_ROLE = keccak256("REWARDS_POSTER_ROLE");

    struct WeekRoot {
        bytes32 root;
        uint256 total;
        uint256 claimed;
    }

    Issuance public immutable issuance;
    IERC20 public immutable dimo;

    mapping(uint256 week => WeekRoot) private _roots;
    mapping(uint256 week => mapping(uint256 vehicleId => bool)) public vehicleClaimed;

    event RewardsRootPosted(uint256 indexed week, bytes32 root, uint256 total, uint256 budget, address indexed poster);
    event RewardClaimed(uint256 indexed week, uint256 indexed vehicleId, address indexed beneficiary, uint256 amount);

    error WeekNotMinted(uint256 week);
    error ExceedsBudget(uint256 week, uint256 total, uint256 budget);
    error RootFinal(uint256 week);
    error NoRoot(uint256 week);
    error VehicleAlreadyClaimed(uint256 week, uint256 vehicleId);
    error InvalidProof();
    error ExceedsTotal(uint256 week, uint256 remaining);
    error InvalidRoot();

    constructor(address admin, Issuance issuance_) {
        issuance = issuance_;
        dimo = IERC20(address(issuance_.token()));
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REWARDS_POSTER_ROLE, admin);
    }

    function postRoot(uint256 week, bytes32 root, uint256 total) external onlyRole(REWARDS_POSTER_ROLE) {
        if (root == bytes32(0)) revert InvalidRoot();
        if (!issuance.isMinted(week)) revert WeekNotMinted(week);
        uint256 budget = issuance.budgetOf(week, Issuance.Budget.Rewards);
        if (total > budget) revert ExceedsBudget(week, total, budget);
        WeekRoot storage w = _roots[week];
        if (w.claimed > 0) revert RootFinal(week);
        w.root = root;
        w.total = total;
        emit RewardsRootPosted(week, root, total, budget, msg.sender);
    }

    /// Pays `beneficiary`; anyone may submit the proof.
    function claim(uint256 week, uint256 vehicleId, address beneficiary, uint256 amount, bytes32[] calldata proof)
        public
    {
        WeekRoot storage w = _roots[week];
        if (w.root == bytes32(0)) revert NoRoot(week);
        if (vehicleClaimed[week][vehicleId]) revert VehicleAlreadyClaimed(week, vehicleId);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(week, vehicleId, beneficiary, amount))));
        if (!MerkleProof.verifyCalldata(proof, w.root, leaf)) revert InvalidProof();
        uint256 remaining = w.total - w.claimed;
        if (amount > remaining) revert ExceedsTotal(week, remaining);
        vehicleClaimed[week][vehicleId] = true;
        w.claimed += amount;
        dimo.safeTransfer(beneficiary, amount);
        emit RewardClaimed(week, vehicleId, beneficiary, amount);
    }

    function weekRoot(uint256 week) external view returns (bytes32 root, uint256 total, uint256 claimed) {
        WeekRoot storage w = _roots[week];
        return (w.root, w.total, w.claimed);
    }
}
