// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IOnboardingGate} from "./IOnboardingGate.sol";

/// Test only (never deployed by the plan): an onboarding gate with an explicit allow-list of relayers.
contract TestOnboardingGate is IOnboardingGate {
    mapping(address => bool) public allowed;

    function setAllowed(address relayer, bool value) external {
        allowed[relayer] = value;
    }

    function canOnboard(address relayer) external view returns (bool) {
        return allowed[relayer];
    }
}
