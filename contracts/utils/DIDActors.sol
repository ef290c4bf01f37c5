// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC1056} from "../interfaces/IERC1056.sol";

/// @title DIDActors — who may act for a DID, read live from an ERC-1056 registry
/// @notice An actor acts for `identity` when it is the identity's current owner, or a valid
/// (unexpired) delegate of the type the inheriting contract names (`DELEGATE_TYPE`): "sigAuth"
/// for consent and data routes (the keys a did:ethr resolver lists under `authentication`),
/// "veriKey" for credentials (the keys it lists under `assertionMethod`: keys that may issue).
/// A deactivated DID (owner zero) has no actor at all, and after `changeOwner` the previous
/// owner has no power: every check reads the registry at the time of the call.
abstract contract DIDActors {
    /// @notice The ERC-1056 delegate type whose valid delegates act for a DID (bytes32, right-padded).
    bytes32 public immutable DELEGATE_TYPE;

    /// @dev The ERC-1056 registry consulted for owners and delegates.
    IERC1056 internal immutable _identities;

    constructor(IERC1056 identities, bytes32 delegateType) {
        _identities = identities;
        DELEGATE_TYPE = delegateType;
    }

    /// @dev Whether `actor` is the owner or a valid `DELEGATE_TYPE` delegate of an active `identity`.
    function _actsFor(address identity, address actor) internal view returns (bool) {
        address owner = _ownerOf(identity);
        if (owner == address(0)) return false;
        return owner == actor || _identities.validDelegate(identity, DELEGATE_TYPE, actor);
    }

    /// @dev Whether `identity` has not been deactivated.
    function _isActive(address identity) internal view returns (bool) {
        return _ownerOf(identity) != address(0);
    }

    /// @dev `_identities.identityOwner(identity)` through the scratch space: every anchor and
    /// status change pays this read, and the plain high-level call costs ~300 gas more (memory
    /// expansion, ABI encoding and decoding). Reverts as the call would when the registry does.
    function _ownerOf(address identity) internal view returns (address owner) {
        IERC1056 registry = _identities;
        assembly ("memory-safe") {
            mstore(0x00, shl(224, 0x8733d4e8)) // identityOwner(address)
            mstore(0x04, identity)
            if iszero(staticcall(gas(), registry, 0x00, 0x24, 0x00, 0x20)) {
                returndatacopy(0x00, 0x00, returndatasize())
                revert(0x00, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0x00, 0x00) }
            owner := mload(0x00)
            if shr(160, owner) { revert(0x00, 0x00) }
        }
    }

    /// @dev The `_time()` hook of every time comparison.
    function _time() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
