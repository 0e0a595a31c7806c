// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// EIP-712 checks shared by every contract that accepts relayed actions. Each signature covers a struct
/// ending in (nonce, deadline) where nonce is the signer's next nonce in this contract; contract wallets
/// sign through ERC-1271. A replay surfaces as Nonces.InvalidAccountNonce(signer, currentNonce).
abstract contract SignedActions is EIP712, Nonces {
    error SignatureExpired(uint256 deadline);
    error InvalidSignature(address signer);

    constructor(string memory domainName) EIP712(domainName, "1") {}

    /// Deadline first, then signature, then nonce: a replayed valid signature reports the nonce, a forged
    /// one reports the signature.
    function _checkSigned(
        address signer,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) internal {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        if (!SignatureChecker.isValidSignatureNowCalldata(signer, _hashTypedDataV4(structHash), signature)) {
            revert InvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }
}
