// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {ISignerNonces} from "../interfaces/ISignerNonces.sol";

/// @title SignerNonces — OpenZeppelin `NoncesKeyed` plus cancellation by the signer
/// @notice Invariants: a nonce is used at most once; within a lane nonces only increase; only the
/// signer can burn its own nonces.
abstract contract SignerNonces is NoncesKeyed, ISignerNonces {
    /// @dev Bounds one cancellation so its cost stays predictable.
    uint64 private constant _MAX_INVALIDATE = type(uint16).max;

    /// @inheritdoc ISignerNonces
    function nonces(address signer, uint192 key) public view override(ISignerNonces, NoncesKeyed) returns (uint256) {
        return super.nonces(signer, key);
    }

    /// @inheritdoc ISignerNonces
    function invalidateNonces(uint192 key, uint64 count) external returns (uint256 next) {
        if (count == 0 || count > _MAX_INVALIDATE) revert NoncesInvalidCount(count);
        uint64 from = uint64(_useNonce(msg.sender, key));
        // Cannot overflow: at most 65,535 iterations; a lane's counter is a uint64 that grows by one per use.
        unchecked {
            for (uint64 i = 1; i < count; ++i) _useNonce(msg.sender, key);
            emit NoncesInvalidated(msg.sender, key, from, from + count);
            next = (uint256(key) << 64) | (from + count);
        }
    }
}
