// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {DimoToken} from "./DimoToken.sol";

/// @title Weekly DIMO issuance
/// @notice Week w covers [start + w weeks, start + (w+1) weeks). Weeks are minted strictly in order,
/// each once, by anyone, from the moment the week begins; missed weeks can be caught up (one per call),
/// so the supply schedule never depends on who triggers it or when.
///
/// Amount of week w = 1,105,000 DIMO × 0.85^floor(w / 52), computed exactly as:
///   factor = 1e18; repeat floor(w/52) times: factor = factor * 85 / 100   (integer division, round down)
///   amount = 1_105_000e18 * factor / 1e18                                  (round down)
/// (0.85^n is exact in 18 decimals up to n = 9, i.e. the first 520 weeks; afterwards each step rounds down.)
///
/// Budget split by basis points set by governance (sum 10,000):
///   rewards = amount * rewardsBps / 10000 (down), team = amount * teamBps / 10000 (down),
///   dao = amount - rewards - team (takes the rounding remainder, so the parts always sum to amount).
/// The rewards budget is minted to RewardsPayout, which caps each week's Merkle root by it.
contract Issuance is AccessControl {
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");

    uint256 public constant WEEKLY_BASE = 1_105_000e18;
    uint256 public constant WEEKS_PER_YEAR = 52;
    uint256 public constant DECAY_NUMERATOR = 85;
    uint256 public constant DECAY_DENOMINATOR = 100;
    uint256 public constant BPS = 10_000;

    enum Budget {
        Rewards,
        Team,
        Dao
    }

    DimoToken public immutable token;
    uint256 public immutable start;

    /// The next week to mint (all weeks before it are minted).
    uint256 public nextWeek;
    uint16[3] private _bps;
    address[3] private _recipients;
    mapping(uint256 week => uint256[3]) private _budgets;

    /// Parts per budget (rewards, team, dao) and where each went.
    event WeekMinted(
        uint256 indexed week,
        uint256 total,
        uint256 rewards,
        uint256 team,
        uint256 dao,
        address rewardsRecipient,
        address teamRecipient,
        address daoRecipient
    );
    event SplitSet(uint16 rewardsBps, uint16 teamBps, uint16 daoBps);
    event RecipientSet(Budget indexed budget, address recipient);

    error NotStarted(uint256 start);
    error WeekNotStarted(uint256 week, uint256 startsAt);
    error InvalidSplit();
    error InvalidRecipient();

    /// recipients[0] is normally RewardsPayout (the deploy plan points it there once deployed).
    constructor(
        address admin,
        DimoToken token_,
        uint256 start_,
        uint16[3] memory splitBps,
        address[3] memory recipients
    ) {
        token = token_;
        start = start_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _setSplit(splitBps[0], splitBps[1], splitBps[2]);
        for (uint256 i = 0; i < 3; i++) {
            _setRecipient(Budget(i), recipients[i]);
        }
    }

    /// Mints the next unminted week if it has begun; returns its number.
    function mintWeek() external returns (uint256 week) {
        week = nextWeek;
        uint256 startsAt = start + week * 1 weeks;
        if (block.timestamp < startsAt) revert WeekNotStarted(week, startsAt);
        nextWeek = week + 1;
        uint256 total = weeklyAmount(week);
        (uint256 rewards, uint256 team, uint256 dao) = splitAmount(total);
        _budgets[week] = [rewards, team, dao];
        if (rewards > 0) token.mint(_recipients[0], rewards);
        if (team > 0) token.mint(_recipients[1], team);
        if (dao > 0) token.mint(_recipients[2], dao);
        emit WeekMinted(week, total, rewards, team, dao, _recipients[0], _recipients[1], _recipients[2]);
    }

    // ------------------------------------------------------------------ governance

    function setSplit(uint16 rewardsBps, uint16 teamBps, uint16 daoBps) external onlyRole(GOVERNANCE_ROLE) {
        _setSplit(rewardsBps, teamBps, daoBps);
    }

    function setRecipient(Budget budget, address recipient_) external onlyRole(GOVERNANCE_ROLE) {
        _setRecipient(budget, recipient_);
    }

    // ------------------------------------------------------------------ views

    /// See the contract notice for the exact rounding.
    function weeklyAmount(uint256 week) public pure returns (uint256) {
        uint256 factor = 1e18;
        for (uint256 n = week / WEEKS_PER_YEAR; n > 0; n--) {
            factor = (factor * DECAY_NUMERATOR) / DECAY_DENOMINATOR;
        }
        return (WEEKLY_BASE * factor) / 1e18;
    }

    /// The budget parts of `total` under the current split (see the contract notice for rounding).
    function splitAmount(uint256 total) public view returns (uint256 rewards, uint256 team, uint256 dao) {
        rewards = (total * _bps[0]) / BPS;
        team = (total * _bps[1]) / BPS;
        dao = total - rewards - team;
    }

    function currentWeek() external view returns (uint256) {
        if (block.timestamp < start) revert NotStarted(start);
        return (block.timestamp - start) / 1 weeks;
    }

    /// Amount minted into `budget` for `week`; 0 until the week is minted.
    function budgetOf(uint256 week, Budget budget) external view returns (uint256) {
        return _budgets[week][uint256(budget)];
    }

    function isMinted(uint256 week) external view returns (bool) {
        return week < nextWeek;
    }

    function split() external view returns (uint16 rewardsBps, uint16 teamBps, uint16 daoBps) {
        return (_bps[0], _bps[1], _bps[2]);
    }

    function recipient(Budget budget) external view returns (address) {
        return _recipients[uint256(budget)];
    }

    // ------------------------------------------------------------------ internals

    function _setSplit(uint16 rewardsBps, uint16 teamBps, uint16 daoBps) private {
        if (uint256(rewardsBps) + teamBps + daoBps != BPS) revert InvalidSplit();
        _bps = [rewardsBps, teamBps, daoBps];
        emit SplitSet(rewardsBps, teamBps, daoBps);
    }

    function _setRecipient(Budget budget, address recipient_) private {
        if (recipient_ == address(0)) revert InvalidRecipient();
        _recipients[uint256(budget)] = recipient_;
        emit RecipientSet(budget, recipient_);
    }
}
