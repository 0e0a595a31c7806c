// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Licenses} from "./Licenses.sol";
import {PriceFeed} from "./PriceFeed.sol";

/// @title DIMO Pay: data-access subscriptions paid per vehicle per period
/// @notice An app (holder of an app license) opens a subscription for one vehicle served by one node,
/// priced in DIMO per period (at least governance's `minPricePerPeriod`). Anyone then pays whole
/// periods in DIMO or in any token the governance PriceFeed prices; the token amount is
/// `feed.quote(token, price × periods)` (rounded up, payer covers conversion rounding).
/// Every payment is split directly from the payer:
///   owner share    = amount × ownerBps / 10000   (rounded down) → the vehicle's current owner
///   node share     = amount × nodeBps  / 10000   (rounded down) → the node license's holder
///   treasury share = amount − owner − node       (the remainder) → treasury
/// so the three parts always sum exactly to the amount paid. Splits, price floor, period length,
/// feed, vehicle registry and treasury are set by governance only.
/// Payments extend coverage from max(end, now); there are no refunds on cancel.
contract DimoPay is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant GOVERNANCE_ROLE = keccak256("GOVERNANCE_ROLE");
    uint256 public constant BPS = 10_000;
    uint256 public constant MAX_PERIODS = 120;

    enum Status {
        None,
        Active,
        Cancelled
    }

    struct Subscription {
        uint256 appLicenseId;
        uint256 vehicleId;
        uint256 nodeLicenseId;
        /// DIMO wei per period.
        uint256 pricePerPeriod;
        uint64 periodSeconds;
        uint64 start;
        /// Paid-up until (exclusive); equals start until the first payment.
        uint64 end;
        Status status;
    }

    /// Scratch record of one payment (keeps pay() within the legacy pipeline's stack).
    struct Payment {
        uint256 dimoValue;
        uint256 amount;
        uint256 ownerShare;
        uint256 nodeShare;
        uint256 treasuryShare;
        address owner;
        address node;
        address treasury;
        uint64 paidUntil;
    }

    Licenses public immutable licenses;
    address public immutable dimo;

    PriceFeed public priceFeed;
    IERC721 public vehicles;
    address public treasury;
    uint16 public ownerBps;
    uint16 public nodeBps;
    uint16 public treasuryBps;
    uint256 public minPricePerPeriod;
    uint64 public periodSeconds;

    uint256 public subscriptionCount;
    uint256 public paymentCount;
    mapping(uint256 subscriptionId => Subscription) private _subscriptions;

    event SubscriptionCreated(
        uint256 indexed subscriptionId,
        uint256 indexed appLicenseId,
        uint256 indexed vehicleId,
        uint256 nodeLicenseId,
        uint256 pricePerPeriod,
        uint64 periodSeconds,
        uint64 start,
        address creator
    );
    event SubscriptionCancelled(uint256 indexed subscriptionId, address indexed by, uint64 end);
    /// One per payment: `amount` of `token` (worth `dimoValue` DIMO wei) paid for `periods`; coverage now ends at `paidUntil`.
    event PaymentMade(
        uint256 indexed paymentId,
        uint256 indexed subscriptionId,
        address indexed payer,
        address token,
        uint256 amount,
        uint256 dimoValue,
        uint256 periods,
        uint64 paidUntil
    );
    /// How payment `paymentId` was split (same token); ownerShare + nodeShare + treasuryShare = amount.
    event PaymentSplit(
        uint256 indexed paymentId,
        address indexed owner,
        address indexed node,
        address treasury,
        uint256 ownerShare,
        uint256 nodeShare,
        uint256 treasuryShare
    );
    event SplitSet(uint16 ownerBps, uint16 nodeBps, uint16 treasuryBps);
    event TreasurySet(address treasury);
    event PriceFeedSet(address priceFeed);
    event VehiclesSet(address vehicles);
    event MinPricePerPeriodSet(uint256 amount);
    event PeriodSet(uint64 periodSeconds);

    error InvalidSplit();
    error InvalidParameter();
    error NotAppLicense(uint256 licenseId);
    error NotNodeLicense(uint256 licenseId);
    error LicenseInactive(uint256 licenseId);
    error NotLicenseHolder(uint256 licenseId, address caller);
    error PriceTooLow(uint256 price, uint256 minimum);
    error VehiclesUnset();
    error UnknownSubscription(uint256 subscriptionId);
    error SubscriptionNotActive(uint256 subscriptionId);
    error Unauthorized(address caller);

    constructor(
        address admin,
        Licenses licenses_,
        PriceFeed feed,
        address vehicles_,
        address treasury_,
        uint16[3] memory splitBps,
        uint256 minPrice,
        uint64 period
    ) {
        licenses = licenses_;
        dimo = address(licenses_.dimo());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GOVERNANCE_ROLE, admin);
        _setPriceFeed(feed);
        _setVehicles(vehicles_);
        _setTreasury(treasury_);
        _setSplit(splitBps[0], splitBps[1], splitBps[2]);
        _setMinPrice(minPrice);
        _setPeriod(period);
    }

    // ------------------------------------------------------------------ subscriptions

    /// Opened by the app license's holder; nothing is covered until the first payment.
    function subscribe(uint256 appLicenseId, uint256 vehicleId, uint256 nodeLicenseId, uint256 pricePerPeriod)
        external
        returns (uint256 subscriptionId)
    {
        if (licenses.ownerOf(appLicenseId) != msg.sender) revert NotLicenseHolder(appLicenseId, msg.sender);
        _checkLicenses(appLicenseId, nodeLicenseId);
        if (pricePerPeriod < minPricePerPeriod) revert PriceTooLow(pricePerPeriod, minPricePerPeriod);
        if (address(vehicles) == address(0)) revert VehiclesUnset();
        vehicles.ownerOf(vehicleId); // reverts for a vehicle that does not exist
        subscriptionId = ++subscriptionCount;
        uint64 nowTs = uint64(block.timestamp);
        _subscriptions[subscriptionId] = Subscription({
            appLicenseId: appLicenseId,
            vehicleId: vehicleId,
            nodeLicenseId: nodeLicenseId,
            pricePerPeriod: pricePerPeriod,
            periodSeconds: periodSeconds,
            start: nowTs,
            end: nowTs,
            status: Status.Active
        });
        emit SubscriptionCreated(
            subscriptionId, appLicenseId, vehicleId, nodeLicenseId, pricePerPeriod, periodSeconds, nowTs, msg.sender
        );
    }

    /// Pays `periods` whole periods in `token` (DIMO or a token the feed prices); the payer must have
    /// approved this contract for the quoted amount. Both licenses must be active at payment time.
    function pay(uint256 subscriptionId, uint256 periods, address token) external returns (uint256 paymentId) {
        Subscription storage s = _subscriptions[subscriptionId];
        if (s.status != Status.Active) revert SubscriptionNotActive(subscriptionId);
        if (periods == 0 || periods > MAX_PERIODS) revert InvalidParameter();
        _checkLicenses(s.appLicenseId, s.nodeLicenseId);

        Payment memory p;
        p.dimoValue = s.pricePerPeriod * periods;
        p.amount = priceFeed.quote(token, p.dimoValue);
        (p.ownerShare, p.nodeShare, p.treasuryShare) = splitAmount(p.amount);
        p.owner = vehicles.ownerOf(s.vehicleId);
        p.node = licenses.ownerOf(s.nodeLicenseId);
        p.treasury = treasury;
        uint64 from = s.end > block.timestamp ? s.end : uint64(block.timestamp);
        p.paidUntil = from + uint64(periods) * s.periodSeconds;
        s.end = p.paidUntil;
        paymentId = ++paymentCount;

        IERC20 t = IERC20(token);
        if (p.ownerShare > 0) t.safeTransferFrom(msg.sender, p.owner, p.ownerShare);
        if (p.nodeShare > 0) t.safeTransferFrom(msg.sender, p.node, p.nodeShare);
        if (p.treasuryShare > 0) t.safeTransferFrom(msg.sender, p.treasury, p.treasuryShare);
        _emitPayment(paymentId, subscriptionId, token, periods, p);
    }

    /// The app's holder or the vehicle's owner may cancel; coverage already paid is not refunded and
    /// ends at once (data stops flowing).
    function cancel(uint256 subscriptionId) external {
        Subscription storage s = _subscriptions[subscriptionId];
        if (s.status != Status.Active) revert SubscriptionNotActive(subscriptionId);
        if (msg.sender != licenses.ownerOf(s.appLicenseId) && msg.sender != vehicles.ownerOf(s.vehicleId)) {
            revert Unauthorized(msg.sender);
        }
        s.status = Status.Cancelled;
        uint64 nowTs = uint64(block.timestamp);
        if (s.end > nowTs) s.end = nowTs;
        emit SubscriptionCancelled(subscriptionId, msg.sender, s.end);
    }

    // ------------------------------------------------------------------ views

    function subscription(uint256 subscriptionId) external view returns (Subscription memory) {
        Subscription memory s = _subscriptions[subscriptionId];
        if (s.status == Status.None) revert UnknownSubscription(subscriptionId);
        return s;
    }

    /// Active and paid up now.
    function isCurrent(uint256 subscriptionId) external view returns (bool) {
        Subscription storage s = _subscriptions[subscriptionId];
        return s.status == Status.Active && block.timestamp < s.end;
    }

    /// The split of `amount` (see the contract notice) — pure bps arithmetic.
    function splitAmount(uint256 amount) public view returns (uint256 ownerShare, uint256 nodeShare, uint256 treasuryShare) {
        ownerShare = (amount * ownerBps) / BPS;
        nodeShare = (amount * nodeBps) / BPS;
        treasuryShare = amount - ownerShare - nodeShare;
    }

    /// Token amount a payment of `periods` would cost now.
    function quote(uint256 subscriptionId, uint256 periods, address token) external view returns (uint256) {
        Subscription storage s = _subscriptions[subscriptionId];
        if (s.status == Status.None) revert UnknownSubscription(subscriptionId);
        return priceFeed.quote(token, s.pricePerPeriod * periods);
    }

    // ------------------------------------------------------------------ governance

    function setSplit(uint16 ownerBps_, uint16 nodeBps_, uint16 treasuryBps_) external onlyRole(GOVERNANCE_ROLE) {
        _setSplit(ownerBps_, nodeBps_, treasuryBps_);
    }

    function setTreasury(address treasury_) external onlyRole(GOVERNANCE_ROLE) {
        _setTreasury(treasury_);
    }

    function setPriceFeed(PriceFeed feed) external onlyRole(GOVERNANCE_ROLE) {
        _setPriceFeed(feed);
    }

    function setVehicles(address vehicles_) external onlyRole(GOVERNANCE_ROLE) {
        _setVehicles(vehicles_);
    }

    function setMinPricePerPeriod(uint256 amount) external onlyRole(GOVERNANCE_ROLE) {
        _setMinPrice(amount);
    }

    function setPeriod(uint64 period) external onlyRole(GOVERNANCE_ROLE) {
        _setPeriod(period);
    }

    // ------------------------------------------------------------------ internals

    function _checkLicenses(uint256 appLicenseId, uint256 nodeLicenseId) private view {
        if (licenses.kindOf(appLicenseId) != Licenses.Kind.App) revert NotAppLicense(appLicenseId);
        if (licenses.kindOf(nodeLicenseId) != Licenses.Kind.Node) revert NotNodeLicense(nodeLicenseId);
        if (!licenses.isActive(appLicenseId)) revert LicenseInactive(appLicenseId);
        if (!licenses.isActive(nodeLicenseId)) revert LicenseInactive(nodeLicenseId);
    }

    function _emitPayment(uint256 paymentId, uint256 subscriptionId, address token, uint256 periods, Payment memory p)
        private
    {
        emit PaymentMade(paymentId, subscriptionId, msg.sender, token, p.amount, p.dimoValue, periods, p.paidUntil);
        emit PaymentSplit(paymentId, p.owner, p.node, p.treasury, p.ownerShare, p.nodeShare, p.treasuryShare);
    }

    function _setSplit(uint16 o, uint16 n, uint16 t) private {
        if (uint256(o) + n + t != BPS) revert InvalidSplit();
        ownerBps = o;
        nodeBps = n;
        treasuryBps = t;
        emit SplitSet(o, n, t);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert InvalidParameter();
        treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    function _setPriceFeed(PriceFeed feed) private {
        if (address(feed) == address(0)) revert InvalidParameter();
        priceFeed = feed;
        emit PriceFeedSet(address(feed));
    }

    /// Zero is allowed (no vehicle registry yet: subscribing is refused until governance sets one).
    function _setVehicles(address vehicles_) private {
        vehicles = IERC721(vehicles_);
        emit VehiclesSet(vehicles_);
    }

    function _setMinPrice(uint256 amount) private {
        minPricePerPeriod = amount;
        emit MinPricePerPeriodSet(amount);
    }

    function _setPeriod(uint64 period) private {
        if (period == 0) revert InvalidParameter();
        periodSeconds = period;
        emit PeriodSet(period);
    }
}
