// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @title ISignerNonces — keyed, cancellable nonces of the suite's signed actions
/// @notice Every contract with signed (relayed) actions takes its nonces from here. A nonce is a
/// `uint256` whose high 192 bits name a *lane* (the key) and whose low 64 bits count within the
/// lane, as in ERC-4337 and OpenZeppelin `NoncesKeyed`. Within a lane nonces are used strictly
/// in order; lanes are independent, so a signer that signs several requests in parallel gives
/// each its own lane and they can be relayed in any order. Lane 0 is `nonces(signer)`, the
/// lane of every single-lane standard (EIP-2612 `permit`, ERC-1056 `*BySig`).
/// A signer cancels outstanding signatures by burning nonces of a lane: `invalidateNonces(key,
/// count)` consumes the next `count` nonces, so no signature over any of them can ever be used.
interface ISignerNonces {
    /// @notice `signer` burnt the nonces `from` (inclusive) to `to` (exclusive) of lane `key`.
    event NoncesInvalidated(address indexed signer, uint192 indexed key, uint64 from, uint64 to);

    /// @notice `count` must be 1 to 65,535.
    error NoncesInvalidCount(uint256 count);

    /// @notice The next unused nonce of `signer` in lane `key`, key prefix included.
    function nonces(address signer, uint192 key) external view returns (uint256);

    /// @notice Burn the next `count` nonces of the caller's lane `key` (cancels every signature made
    /// over them). Returns the next unused nonce afterwards, key prefix included.
    function invalidateNonces(uint192 key, uint64 count) external returns (uint256);
}
