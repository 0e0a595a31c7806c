// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IOnboardingGate} from "./IOnboardingGate.sol";

/// @title DIMO licenses (client / node / app) with stake and trust ratio
/// @notice One ERC-721 per license. Only the licensing team issues and moves licenses; holders stake
/// DIMO against them. A license is *active* when issued, not suspended/revoked/renounced/banned, its
/// holder's identity is not banned, and its trust ratio (staked ×1e18 / required) is at least 1e18.
/// The contract is also VehicleId's onboarding gate: a node relayer may onboard vehicles only while
/// its node license is active (so a node below its stake requirement cannot onboard).
///
/// Required stake = max(minimumStake[kind] + (node ? stakePerUser × connectedUsers : 0), floor[id]).
/// Minimums and the per-user stake change only through governance (GOVERNANCE_ROLE, the Timelock);
/// the licensing team can only raise a license's own floor. Connected users are reported by a
/// NODE_REPORTER_ROLE oracle (the gate is a view, so it cannot count mints itself).
contract Licenses is ERC721, AccessControl, IOnboardingGate {
    using SafeERC20 for IERC20;

    bytes32 public constant LICENSING_ROLE = keccak256("LICENSING_ROLE");
    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    bytes32 public constant NODE_REPORTER_ROLE = keccak256("NODE_REPORTER_ROLE");
    /// Held by the Challenges contract only: locks stake while challenged and slashes it.
    bytes32 public constant CHALLENGES_ROLE = keccak256("CHALLENGES_ROLE");

    /// A renounced, revoked or banned license keeps its stake this long, so challenges can still slash it.
    uint256 public constant EXIT_DELAY = 182 days;
    uint256 public constant MAX_TEXT_LENGTH = 256;

    enum Kind {
        Client,
        Node,
        App
    }

    enum Status {
        None,
        Active,
        Suspended,
        Revoked,
        Renounced,
        Banned
    }

    struct Metadata {
        string legalName;
        string dba;
        string website;
        string supportEmail;
    }

    struct License {
        Kind kind;
        Status status;
        uint32 openChallenges;
        uint64 issuedAt;
        /// When it was renounced / revoked / banned (0 while live); stake unlocks EXIT_DELAY later.
        uint64 endedAt;
        uint256 stake;
        uint256 requirementFloor;
        uint256 connectedUsers;
        Metadata metadata;
    }

    IERC20 public immutable dimo;

    uint256 private _nextId = 1;
    mapping(uint256 licenseId => License) private _licenses;
    mapping(Kind => uint256) private _minimumStake;
    uint256 public stakePerUser;

    /// Linked address → the identity (controller) it belongs to; unset means it is its own identity.
    mapping(address account => address) private _controller;
    mapping(address controller => uint256) public linkedCount;
    mapping(address identity => bool) private _banned;

    /// Address allowed to relay vehicle mints → the node license it acts for (0 = none).
    mapping(address relayer => uint256) public relayerLicense;

    // --- events (an indexer rebuilds the whole licensing state from these alone) ---

    event LicenseIssued(
        uint256 indexed licenseId,
        address indexed holder,
        Kind kind,
        string legalName,
        string dba,
        string website,
        string supportEmail
    );
    event LicenseMetadataUpdated(
        uint256 indexed licenseId, string legalName, string dba, string website, string supportEmail
    );
    /// Moved by the licensing team (holders cannot transfer). Stake and relayers stay with the license.
    event LicenseTransferred(uint256 indexed licenseId, address indexed from, address indexed to);
    /// Every status change: suspend, unsuspend, revoke, ban, renounce, reinstate. `endedAt` is the
    /// new end time (0 = live); stake is withdrawable from endedAt + EXIT_DELAY.
    event LicenseStatusChanged(
        uint256 indexed licenseId, Status previous, Status status, uint64 endedAt, address indexed by, string reason
    );
    event Staked(uint256 indexed licenseId, address indexed from, uint256 amount, uint256 totalStake);
    event StakeWithdrawn(uint256 indexed licenseId, address indexed to, uint256 amount, uint256 totalStake);
    event StakeSlashed(uint256 indexed licenseId, uint256 indexed challengeId, uint256 amount, uint256 totalStake);
    /// The license's own requirement floor (raised by licensing, or set by governance).
    event RequirementFloorSet(uint256 indexed licenseId, uint256 previousFloor, uint256 floor, address indexed by);
    event ConnectedUsersSet(uint256 indexed licenseId, uint256 connectedUsers, address indexed by);
    event MinimumStakeSet(Kind indexed kind, uint256 amount);
    event StakePerUserSet(uint256 amount);
    /// `identity` is the controller identity that is (un)banned; every address linked to it follows.
    event AddressBanned(address indexed identity, address indexed by, string reason);
    event AddressUnbanned(address indexed identity, address indexed by, string reason);
    event AddressLinked(address indexed account, address indexed controller, address indexed by);
    event AddressUnlinked(address indexed account, address indexed controller, address indexed by);
    event RelayerSet(address indexed relayer, uint256 indexed licenseId, bool authorized, address indexed by);
    /// A challenge opened or closed on the license; stake cannot leave while `openChallenges` > 0.
    event ChallengeLockChanged(uint256 indexed licenseId, uint256 indexed challengeId, uint256 openChallenges);

    // --- errors ---

    error TransferRestricted();
    error ApprovalsDisabled();
    error AddressIsBanned(address account);
    error InvalidStatus(uint256 licenseId, Status status);
    error NotHolder(uint256 licenseId, address caller);
    error NotNodeLicense(uint256 licenseId);
    error RequirementNotRaised(uint256 current, uint256 requested);
    error InvalidAmount();
    error ChallengeOpen(uint256 licenseId);
    error StakeLocked(uint256 licenseId, uint256 unlocksAt);
    error StakeBelowRequirement(uint256 licenseId, uint256 maxWithdrawable);
    error InsufficientStake(uint256 licenseId, uint256 stake);
    error AlreadyLinked(address account, address controller);
    error IsController(address account);
    error NotLinked(address account);
    error RelayerTaken(address relayer, uint256 licenseId);
    error RelayerNotSet(address relayer);
    error InvalidMetadata();
    error Unauthorized(address caller);

    modifier onlyLicensingOrGovernance() {
        if (!hasRole(LICENSING_ROLE, msg.sender) && !hasRole(GOVERNANCE_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender);
        }
        _;
    }

    /// @param admin gets every role at deployment; the deploy plan then hands GOVERNANCE_ROLE and
    /// DEFAULT_ADMIN_ROLE to the Timelock.
    constructor(address admin, IERC20 dimoToken) ERC721("DIMO License", "DIMOLIC") {
        dimo = dimoToken;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _grantRole(LICENSING_ROLE, admin);
        _setMinimumStake(Kind.Client, 10_000e18);
        _setMinimumStake(Kind.Node, 100_000e18);
        _setMinimumStake(Kind.App, 10_000e18);
        stakePerUser = 2e18;
        emit StakePerUserSet(2e18);
    }

    // ------------------------------------------------------------------ issuing

    function issue(address to, Kind kind, Metadata calldata metadata)
        external
        onlyRole(LICENSING_ROLE)
        returns (uint256 licenseId)
    {
        if (isBanned(to)) revert AddressIsBanned(to);
        _checkMetadata(metadata);
        licenseId = _nextId++;
        License storage l = _licenses[licenseId];
        l.kind = kind;
        l.status = Status.Active;
        l.issuedAt = uint64(block.timestamp);
        l.metadata = metadata;
        _mint(to, licenseId);
        emit LicenseIssued(
            licenseId, to, kind, metadata.legalName, metadata.dba, metadata.website, metadata.supportEmail
        );
        // A node's holder relays for it by default (unless that address already relays for another node).
        if (kind == Kind.Node && relayerLicense[to] == 0) {
            relayerLicense[to] = licenseId;
            emit RelayerSet(to, licenseId, true, msg.sender);
        }
    }

    function updateMetadata(uint256 licenseId, Metadata calldata metadata) external onlyRole(LICENSING_ROLE) {
        _requireOwned(licenseId);
        _checkMetadata(metadata);
        _licenses[licenseId].metadata = metadata;
        emit LicenseMetadataUpdated(
            licenseId, metadata.legalName, metadata.dba, metadata.website, metadata.supportEmail
        );
    }

    /// The only way a license changes hands.
    function transferLicense(uint256 licenseId, address to) external onlyLicensingOrGovernance {
        if (isBanned(to)) revert AddressIsBanned(to);
        address from = _requireOwned(licenseId);
        _transfer(from, to, licenseId);
        emit LicenseTransferred(licenseId, from, to);
    }

    // ------------------------------------------------------------------ stake

    /// Anyone may add stake to a live license (pulled with transferFrom); only the holder withdraws it.
    function stake(uint256 licenseId, uint256 amount) public {
        _requireOwned(licenseId);
        License storage l = _licenses[licenseId];
        if (l.status != Status.Active && l.status != Status.Suspended) revert InvalidStatus(licenseId, l.status);
        if (amount == 0) revert InvalidAmount();
        dimo.safeTransferFrom(msg.sender, address(this), amount);
        l.stake += amount;
        emit Staked(licenseId, msg.sender, amount, l.stake);
    }

    /// stake() with an EIP-2612 permit; a permit already used (front-run) is ignored, the transfer decides.
    function stakeWithPermit(uint256 licenseId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        try IERC20Permit(address(dimo)).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        stake(licenseId, amount);
    }

    /// Live license: only the excess above the requirement, not while suspended or banned.
    /// Ended license: everything, from endedAt + EXIT_DELAY. Never while a challenge is open.
    function withdrawStake(uint256 licenseId, uint256 amount, address to) external {
        address holder = _requireOwned(licenseId);
        if (msg.sender != holder) revert NotHolder(licenseId, msg.sender);
        License storage l = _licenses[licenseId];
        if (l.openChallenges > 0) revert ChallengeOpen(licenseId);
        if (amount == 0 || amount > l.stake) revert InvalidAmount();
        if (l.status == Status.Active) {
            if (isBanned(holder)) revert AddressIsBanned(holder);
            uint256 required = requiredStake(licenseId);
            uint256 excess = l.stake > required ? l.stake - required : 0;
            if (amount > excess) revert StakeBelowRequirement(licenseId, excess);
        } else if (l.status == Status.Suspended) {
            revert InvalidStatus(licenseId, l.status);
        } else {
            uint256 unlocksAt = uint256(l.endedAt) + EXIT_DELAY;
            if (block.timestamp < unlocksAt) revert StakeLocked(licenseId, unlocksAt);
        }
        l.stake -= amount;
        dimo.safeTransfer(to, amount);
        emit StakeWithdrawn(licenseId, to, amount, l.stake);
    }

    // ------------------------------------------------------------------ requirements

    /// Licensing may only raise a license's requirement, strictly above what it is now.
    function raiseRequirement(uint256 licenseId, uint256 newRequired) external onlyRole(LICENSING_ROLE) {
        _requireOwned(licenseId);
        uint256 current = requiredStake(licenseId);
        if (newRequired <= current) revert RequirementNotRaised(current, newRequired);
        _setFloor(licenseId, newRequired);
    }

    /// Governance overrule: any floor, including lowering or clearing (0) a floor licensing raised.
    function setRequirementFloor(uint256 licenseId, uint256 floor) external onlyRole(GOVERNANCE_ROLE) {
        _requireOwned(licenseId);
        _setFloor(licenseId, floor);
    }

    function setConnectedUsers(uint256 licenseId, uint256 users) external onlyRole(NODE_REPORTER_ROLE) {
        _requireOwned(licenseId);
        License storage l = _licenses[licenseId];
        if (l.kind != Kind.Node) revert NotNodeLicense(licenseId);
        l.connectedUsers = users;
        emit ConnectedUsersSet(licenseId, users, msg.sender);
    }

    function setMinimumStake(Kind kind, uint256 amount) external onlyRole(GOVERNANCE_ROLE) {
        _setMinimumStake(kind, amount);
    }

    function setStakePerUser(uint256 amount) external onlyRole(GOVERNANCE_ROLE) {
        stakePerUser = amount;
        emit StakePerUserSet(amount);
    }

    // ------------------------------------------------------------------ enforcement

    function suspend(uint256 licenseId, string calldata reason) external onlyLicensingOrGovernance {
        _setStatus(licenseId, Status.Active, Status.Suspended, reason);
    }

    function unsuspend(uint256 licenseId, string calldata reason) external onlyLicensingOrGovernance {
        _setStatus(licenseId, Status.Suspended, Status.Active, reason);
    }

    function revoke(uint256 licenseId, string calldata reason) external onlyLicensingOrGovernance {
        Status s = _licenses[licenseId].status;
        if (s != Status.Active && s != Status.Suspended) revert InvalidStatus(licenseId, s);
        _setStatus(licenseId, s, Status.Revoked, reason);
    }

    /// Ends the license and bans its holder's identity (every address linked to it) for good.
    function ban(uint256 licenseId, string calldata reason) external onlyLicensingOrGovernance {
        address holder = _requireOwned(licenseId);
        Status s = _licenses[licenseId].status;
        if (s == Status.Banned) revert InvalidStatus(licenseId, s);
        _setStatus(licenseId, s, Status.Banned, reason);
        _ban(controllerOf(holder), reason);
    }

    /// Bans an identity that may hold no license (e.g. a refused applicant).
    function banAddress(address account, string calldata reason) external onlyLicensingOrGovernance {
        _ban(controllerOf(account), reason);
    }

    /// Governance overrule: back to active from suspended, revoked or banned (unbanning the holder).
    function reinstate(uint256 licenseId, string calldata reason) external onlyRole(GOVERNANCE_ROLE) {
        address holder = _requireOwned(licenseId);
        Status s = _licenses[licenseId].status;
        if (s != Status.Suspended && s != Status.Revoked && s != Status.Banned) revert InvalidStatus(licenseId, s);
        _setStatus(licenseId, s, Status.Active, reason);
        _unban(holder, reason);
    }

    function unbanAddress(address account, string calldata reason) external onlyRole(GOVERNANCE_ROLE) {
        _unban(account, reason);
    }

    /// Declares `account` the same party as `controllerAccount` (resolved to its identity). If either
    /// side is banned the whole identity is: linking never launders a ban.
    function linkAddress(address controllerAccount, address account) external onlyLicensingOrGovernance {
        address c = controllerOf(controllerAccount);
        if (account == c) revert AlreadyLinked(account, c);
        address current = _controller[account];
        if (current != address(0)) revert AlreadyLinked(account, current);
        if (linkedCount[account] != 0) revert IsController(account);
        _controller[account] = c;
        linkedCount[c] += 1;
        emit AddressLinked(account, c, msg.sender);
        if (_banned[account] && !_banned[c]) _ban(c, "linked to a banned address");
    }

    function unlinkAddress(address account) external onlyRole(GOVERNANCE_ROLE) {
        address c = _controller[account];
        if (c == address(0)) revert NotLinked(account);
        delete _controller[account];
        linkedCount[c] -= 1;
        emit AddressUnlinked(account, c, msg.sender);
    }

    // ------------------------------------------------------------------ holder actions

    /// Ends the license at once (inactive immediately); the stake unlocks EXIT_DELAY later if no
    /// challenge is open then.
    function renounce(uint256 licenseId) external {
        address holder = _requireOwned(licenseId);
        if (msg.sender != holder) revert NotHolder(licenseId, msg.sender);
        Status s = _licenses[licenseId].status;
        if (s != Status.Active && s != Status.Suspended) revert InvalidStatus(licenseId, s);
        _setStatus(licenseId, s, Status.Renounced, "renounced");
    }

    /// Lets `relayer` relay vehicle mints for this node license (holder or licensing team).
    function authorizeRelayer(uint256 licenseId, address relayer) external {
        address holder = _requireOwned(licenseId);
        if (msg.sender != holder && !hasRole(LICENSING_ROLE, msg.sender)) revert NotHolder(licenseId, msg.sender);
        if (_licenses[licenseId].kind != Kind.Node) revert NotNodeLicense(licenseId);
        if (isBanned(relayer)) revert AddressIsBanned(relayer);
        uint256 current = relayerLicense[relayer];
        if (current != 0 && current != licenseId) revert RelayerTaken(relayer, current);
        relayerLicense[relayer] = licenseId;
        emit RelayerSet(relayer, licenseId, true, msg.sender);
    }

    function removeRelayer(address relayer) external {
        uint256 licenseId = relayerLicense[relayer];
        if (licenseId == 0) revert RelayerNotSet(relayer);
        if (msg.sender != _ownerOf(licenseId) && msg.sender != relayer && !hasRole(LICENSING_ROLE, msg.sender)) {
            revert NotHolder(licenseId, msg.sender);
        }
        delete relayerLicense[relayer];
        emit RelayerSet(relayer, licenseId, false, msg.sender);
    }

    // ------------------------------------------------------------------ challenge hooks

    function challengeOpened(uint256 licenseId, uint256 challengeId) external onlyRole(CHALLENGES_ROLE) {
        _requireOwned(licenseId);
        uint32 open = ++_licenses[licenseId].openChallenges;
        emit ChallengeLockChanged(licenseId, challengeId, open);
    }

    function challengeClosed(uint256 licenseId, uint256 challengeId) external onlyRole(CHALLENGES_ROLE) {
        uint32 open = --_licenses[licenseId].openChallenges;
        emit ChallengeLockChanged(licenseId, challengeId, open);
    }

    /// Moves `amount` of the license's stake to the Challenges contract, which burns / pays it out.
    function slash(uint256 licenseId, uint256 challengeId, uint256 amount) external onlyRole(CHALLENGES_ROLE) {
        License storage l = _licenses[licenseId];
        if (amount > l.stake) revert InsufficientStake(licenseId, l.stake);
        l.stake -= amount;
        dimo.safeTransfer(msg.sender, amount);
        emit StakeSlashed(licenseId, challengeId, amount, l.stake);
    }

    // ------------------------------------------------------------------ views

    function license(uint256 licenseId) external view returns (License memory) {
        _requireOwned(licenseId);
        return _licenses[licenseId];
    }

    function kindOf(uint256 licenseId) external view returns (Kind) {
        _requireOwned(licenseId);
        return _licenses[licenseId].kind;
    }

    function statusOf(uint256 licenseId) external view returns (Status) {
        return _licenses[licenseId].status;
    }

    function stakeOf(uint256 licenseId) external view returns (uint256) {
        return _licenses[licenseId].stake;
    }

    function openChallenges(uint256 licenseId) external view returns (uint256) {
        return _licenses[licenseId].openChallenges;
    }

    function minimumStake(Kind kind) external view returns (uint256) {
        return _minimumStake[kind];
    }

    function requiredStake(uint256 licenseId) public view returns (uint256) {
        _requireOwned(licenseId);
        License storage l = _licenses[licenseId];
        uint256 base = _minimumStake[l.kind];
        if (l.kind == Kind.Node) base += stakePerUser * l.connectedUsers;
        return base > l.requirementFloor ? base : l.requirementFloor;
    }

    /// staked × 1e18 / required, rounded down (1e18 = exactly at requirement). Minimums are never 0,
    /// so required is never 0.
    function trustRatio(uint256 licenseId) public view returns (uint256) {
        return (_licenses[licenseId].stake * 1e18) / requiredStake(licenseId);
    }

    function isActive(uint256 licenseId) public view returns (bool) {
        address holder = _ownerOf(licenseId);
        if (holder == address(0)) return false;
        License storage l = _licenses[licenseId];
        return l.status == Status.Active && !isBanned(holder) && l.stake >= requiredStake(licenseId);
    }

    /// The first time the stake of an ended license may be withdrawn (0 while live).
    function withdrawableAt(uint256 licenseId) external view returns (uint256) {
        uint64 ended = _licenses[licenseId].endedAt;
        return ended == 0 ? 0 : uint256(ended) + EXIT_DELAY;
    }

    /// IOnboardingGate: the relayer must act for an active node license (stake at or above requirement).
    function canOnboard(address relayer) external view returns (bool) {
        uint256 licenseId = relayerLicense[relayer];
        if (licenseId == 0 || _licenses[licenseId].kind != Kind.Node || isBanned(relayer)) return false;
        return isActive(licenseId);
    }

    function controllerOf(address account) public view returns (address) {
        address c = _controller[account];
        return c == address(0) ? account : c;
    }

    function isBanned(address account) public view returns (bool) {
        return _banned[account] || _banned[controllerOf(account)];
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IOnboardingGate).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ ERC-721 restrictions

    function approve(address, uint256) public pure override {
        revert ApprovalsDisabled();
    }

    function setApprovalForAll(address, bool) public pure override {
        revert ApprovalsDisabled();
    }

    /// Holder-initiated transfers always carry a non-zero `auth`; transferLicense passes none.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (auth != address(0) && to != address(0) && _ownerOf(tokenId) != address(0)) revert TransferRestricted();
        return super._update(to, tokenId, auth);
    }

    // ------------------------------------------------------------------ internals

    function _setStatus(uint256 licenseId, Status from, Status to, string memory reason) private {
        _requireOwned(licenseId);
        License storage l = _licenses[licenseId];
        if (l.status != from) revert InvalidStatus(licenseId, l.status);
        l.status = to;
        if (to == Status.Active || to == Status.Suspended) {
            l.endedAt = 0;
        } else if (l.endedAt == 0) {
            // Banning an already ended license keeps its original exit clock.
            l.endedAt = uint64(block.timestamp);
        }
        emit LicenseStatusChanged(licenseId, from, to, l.endedAt, msg.sender, reason);
    }

    function _setFloor(uint256 licenseId, uint256 floor) private {
        License storage l = _licenses[licenseId];
        uint256 previous = l.requirementFloor;
        l.requirementFloor = floor;
        emit RequirementFloorSet(licenseId, previous, floor, msg.sender);
    }

    function _setMinimumStake(Kind kind, uint256 amount) private {
        if (amount == 0) revert InvalidAmount();
        _minimumStake[kind] = amount;
        emit MinimumStakeSet(kind, amount);
    }

    function _ban(address identity, string memory reason) private {
        if (_banned[identity]) return;
        _banned[identity] = true;
        emit AddressBanned(identity, msg.sender, reason);
    }

    function _unban(address account, string memory reason) private {
        address c = controllerOf(account);
        if (_banned[account]) {
            _banned[account] = false;
            emit AddressUnbanned(account, msg.sender, reason);
        }
        if (c != account && _banned[c]) {
            _banned[c] = false;
            emit AddressUnbanned(c, msg.sender, reason);
        }
    }

    function _checkMetadata(Metadata calldata m) private pure {
        if (
            bytes(m.legalName).length == 0 || bytes(m.legalName).length > MAX_TEXT_LENGTH
                || bytes(m.dba).length > MAX_TEXT_LENGTH || bytes(m.website).length > MAX_TEXT_LENGTH
                || bytes(m.supportEmail).length > MAX_TEXT_LENGTH
        ) revert InvalidMetadata();
    }
}
