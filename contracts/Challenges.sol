// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Licenses} from "./Licenses.sol";

/// @title Challenges against licensees
/// @notice Anyone holding DIMO challenges a license by depositing `challengeDeposit` with a reason URI;
/// the license's stake is locked while any challenge on it is open. An ARBITER_ROLE holder (appointed
/// by governance) rules:
///  - upheld: `slashed` DIMO leaves the license's stake; the challenger gets the deposit back plus
///    reward = slashed × challengerRewardBps / 10000 (rounded down); `ownersTotal` is reserved for
///    affected owners, claimable against a Merkle root; the rest is burned.
///  - rejected: the deposit is forfeited to the treasury.
/// Owner payout leaves are OpenZeppelin-standard double-hashed:
///   leaf = keccak256(bytes.concat(keccak256(abi.encode(challengeId, owner, amount))))
/// (compatible with the OpenZeppelin StandardMerkleTree over [uint256, address, uint256]).
contract Challenges is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    uint256 public constant MAX_URI_LENGTH = 512;

    enum Status {
        None,
        Open,
        Upheld,
        Rejected
    }

    struct Challenge {
        uint256 licenseId;
        address challenger;
        Status status;
        uint64 openedAt;
        uint64 decidedAt;
        uint256 deposit;
        uint256 slashed;
        uint256 burned;
        uint256 reward;
        uint256 ownersTotal;
        uint256 ownersClaimed;
        bytes32 ownersRoot;
    }

    Licenses public immutable licenses;
    IERC20 public immutable dimo;

    address public treasury;
    uint256 public challengeDeposit;
    uint256 public challengerRewardBps;

    uint256 public challengeCount;
    mapping(uint256 challengeId => Challenge) private _challenges;
    mapping(uint256 challengeId => mapping(address owner => bool)) public payoutClaimed;

    event ChallengeOpened(
        uint256 indexed challengeId,
        uint256 indexed licenseId,
        address indexed challenger,
        uint256 deposit,
        string reasonURI
    );
    /// challenger received deposit + reward; `burned` was destroyed; `ownersTotal` is claimable under `ownersRoot`.
    event ChallengeUpheld(
        uint256 indexed challengeId,
        uint256 indexed licenseId,
        uint256 slashed,
        uint256 burned,
        uint256 challengerReward,
        uint256 ownersTotal,
        bytes32 ownersRoot,
        string rulingURI
    );
    /// The deposit went to `treasury`.
    event ChallengeRejected(
        uint256 indexed challengeId, uint256 indexed licenseId, uint256 forfeited, address treasury, string rulingURI
    );
    event OwnerPayoutClaimed(uint256 indexed challengeId, address indexed owner, uint256 amount);
    event ChallengeDepositSet(uint256 amount);
    event ChallengerRewardBpsSet(uint256 bps);
    event TreasurySet(address treasury);

    error InvalidChallenge(uint256 challengeId);
    error NotOpen(uint256 challengeId, Status status);
    error PayoutExceedsSlash(uint256 ownersTotal, uint256 available);
    error MissingPayoutRoot();
    error AlreadyClaimed(uint256 challengeId, address owner);
    error InvalidProof();
    error PayoutExhausted(uint256 challengeId);
    error InvalidParameter();
    error UriTooLong();

    constructor(
        address admin,
        Licenses licensesContract,
        address treasury_,
        uint256 deposit_,
        uint256 rewardBps_
    ) {
        licenses = licensesContract;
        dimo = licensesContract.dimo();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _grantRole(ARBITER_ROLE, admin);
        _setTreasury(treasury_);
        _setDeposit(deposit_);
        _setRewardBps(rewardBps_);
    }

    // ------------------------------------------------------------------ challenger

    function open(uint256 licenseId, string calldata reasonURI) public returns (uint256 challengeId) {
        if (bytes(reasonURI).length == 0 || bytes(reasonURI).length > MAX_URI_LENGTH) revert UriTooLong();
        uint256 deposit = challengeDeposit;
        dimo.safeTransferFrom(msg.sender, address(this), deposit);
        challengeId = ++challengeCount;
        Challenge storage c = _challenges[challengeId];
        c.licenseId = licenseId;
        c.challenger = msg.sender;
        c.status = Status.Open;
        c.openedAt = uint64(block.timestamp);
        c.deposit = deposit;
        licenses.challengeOpened(licenseId, challengeId); // reverts for an unknown license
        emit ChallengeOpened(challengeId, licenseId, msg.sender, deposit, reasonURI);
    }

    /// open() with an EIP-2612 permit for the deposit; a front-run permit is ignored.
    function openWithPermit(
        uint256 licenseId,
        string calldata reasonURI,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256) {
        try IERC20Permit(address(dimo)).permit(msg.sender, address(this), challengeDeposit, deadline, v, r, s) {}
            catch {}
        return open(licenseId, reasonURI);
    }

    // ------------------------------------------------------------------ arbiter

    function uphold(
        uint256 challengeId,
        uint256 slashAmount,
        uint256 ownersTotal,
        bytes32 ownersRoot,
        string calldata rulingURI
    ) external onlyRole(ARBITER_ROLE) {
        Challenge storage c = _open(challengeId);
        uint256 reward = (slashAmount * challengerRewardBps) / 10_000;
        uint256 available = slashAmount - reward;
        if (ownersTotal > available) revert PayoutExceedsSlash(ownersTotal, available);
        if (ownersTotal > 0 && ownersRoot == bytes32(0)) revert MissingPayoutRoot();
        uint256 burned = available - ownersTotal;

        c.status = Status.Upheld;
        c.decidedAt = uint64(block.timestamp);
        c.slashed = slashAmount;
        c.burned = burned;
        c.reward = reward;
        c.ownersTotal = ownersTotal;
        c.ownersRoot = ownersRoot;

        uint256 licenseId = c.licenseId;
        // Slash first (stake still locked), then unlock.
        if (slashAmount > 0) licenses.slash(licenseId, challengeId, slashAmount);
        licenses.challengeClosed(licenseId, challengeId);
        if (burned > 0) ERC20Burnable(address(dimo)).burn(burned);
        dimo.safeTransfer(c.challenger, c.deposit + reward);
        emit ChallengeUpheld(challengeId, licenseId, slashAmount, burned, reward, ownersTotal, ownersRoot, rulingURI);
    }

    function reject(uint256 challengeId, string calldata rulingURI) external onlyRole(ARBITER_ROLE) {
        Challenge storage c = _open(challengeId);
        c.status = Status.Rejected;
        c.decidedAt = uint64(block.timestamp);
        licenses.challengeClosed(c.licenseId, challengeId);
        address to = treasury;
        dimo.safeTransfer(to, c.deposit);
        emit ChallengeRejected(challengeId, c.licenseId, c.deposit, to, rulingURI);
    }

    // ------------------------------------------------------------------ affected owners

    /// Anyone may submit; the payout always goes to `owner`.
    function claimOwnerPayout(uint256 challengeId, address owner, uint256 amount, bytes32[] calldata proof)
        external
    {
        Challenge storage c = _challenges[challengeId];
        if (c.status != Status.Upheld || c.ownersRoot == bytes32(0)) revert InvalidChallenge(challengeId);
        if (payoutClaimed[challengeId][owner]) revert AlreadyClaimed(challengeId, owner);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(challengeId, owner, amount))));
        if (!MerkleProof.verifyCalldata(proof, c.ownersRoot, leaf)) revert InvalidProof();
        if (c.ownersClaimed + amount > c.ownersTotal) revert PayoutExhausted(challengeId);
        payoutClaimed[challengeId][owner] = true;
        c.ownersClaimed += amount;
        dimo.safeTransfer(owner, amount);
        emit OwnerPayoutClaimed(challengeId, owner, amount);
    }

    // ------------------------------------------------------------------ governance

    function setChallengeDeposit(uint256 amount) external onlyRole(GOVERNANCE_ROLE) {
        _setDeposit(amount);
    }

    function setChallengerRewardBps(uint256 bps) external onlyRole(GOVERNANCE_ROLE) {
        _setRewardBps(bps);
    }

    function setTreasury(address treasury_) external onlyRole(GOVERNANCE_ROLE) {
        _setTreasury(treasury_);
    }

    // ------------------------------------------------------------------ views

    function challenge(uint256 challengeId) external view returns (Challenge memory) {
        Challenge memory c = _challenges[challengeId];
        if (c.status == Status.None) revert InvalidChallenge(challengeId);
        return c;
    }

    // ------------------------------------------------------------------ internals

    function _open(uint256 challengeId) private view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.status == Status.None) revert InvalidChallenge(challengeId);
        if (c.status != Status.Open) revert NotOpen(challengeId, c.status);
    }

    function _setDeposit(uint256 amount) private {
        if (amount == 0) revert InvalidParameter(); // a free challenge would let anyone freeze any stake
        challengeDeposit = amount;
        emit ChallengeDepositSet(amount);
    }

    function _setRewardBps(uint256 bps) private {
        if (bps > 10_000) revert InvalidParameter();
        challengerRewardBps = bps;
        emit ChallengerRewardBpsSet(bps);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert InvalidParameter();
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }
}
