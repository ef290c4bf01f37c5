// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title Signatures — the one signature check of the suite's signed (relayed) actions
/// @notice Accepts a signature by a plain key (ECDSA, malleable `s` rejected by OpenZeppelin)
/// or by a contract wallet (ERC-1271), like OpenZeppelin's `SignatureChecker`, but in the
/// opposite order: ECDSA recovery first, and ERC-1271 only when recovery does not yield the
/// signer and the signer has code. `SignatureChecker` reads the signer's code size first, a
/// cold account access (2,600 gas) that every plain-key signature then pays for nothing.
/// An account with code whose key still signs (an EIP-7702 delegated account) is accepted on
/// its key, as its key holder controls it anyway.
library Signatures {
    function isValidNow(address signer, bytes32 digest, bytes calldata signature) internal view returns (bool) {
        // slither-disable-next-line unused-return — the third value (the error's argument) is not needed: `err` decides
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }
}
