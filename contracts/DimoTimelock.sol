// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title Governance timelock (the DAO's executor and treasury)
/// @notice OpenZeppelin TimelockController that never lets its delay drop below 4 days, neither at
/// construction nor through updateDelay, so owners and licensees always have 4 days to react to (or
/// exit before) any passed proposal.
contract DimoTimelock is TimelockController {
    uint256 public constant MIN_DELAY_FLOOR = 4 days;

    error DelayTooShort(uint256 delay, uint256 floor);

    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {
        if (minDelay < MIN_DELAY_FLOOR) revert DelayTooShort(minDelay, MIN_DELAY_FLOOR);
    }

    function updateDelay(uint256 newDelay) public override {
        if (newDelay < MIN_DELAY_FLOOR) revert DelayTooShort(newDelay, MIN_DELAY_FLOOR);
        super.updateDelay(newDelay);
    }
}
