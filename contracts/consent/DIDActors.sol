// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC1056} from "../interfaces/IERC1056.sol";

/// @title DIDActors — who may act for a DID, read from an ERC-1056 registry
/// @notice An actor acts for `identity` when it is the identity's current owner, or a delegate
/// the owner registered with type "sigAuth" that has not expired. "sigAuth" delegates are the
/// keys a did:ethr resolver lists under the DID document's `authentication`: the keys that may
/// act as the DID. A deactivated DID (owner zero) has no actor at all.
abstract contract DIDActors {
    /// @notice The ERC-1056 delegate type whose delegates act for a DID ("sigAuth", right-padded).
    bytes32 public constant DELEGATE_TYPE = "sigAuth";

    /// @dev The ERC-1056 registry consulted for owners and delegates.
    IERC1056 internal immutable _identities;

    constructor(IERC1056 identities) {
        _identities = identities;
    }

    /// @dev Whether `actor` is the owner or a valid "sigAuth" delegate of an active `identity`.
    function _actsFor(address identity, address actor) internal view returns (bool) {
        address owner = _identities.identityOwner(identity);
        if (owner == address(0)) return false;
        return owner == actor || _identities.validDelegate(identity, DELEGATE_TYPE, actor);
    }

    /// @dev Whether `identity` has not been deactivated.
    function _isActive(address identity) internal view returns (bool) {
        return _identities.identityOwner(identity) != address(0);
    }

    /// @dev The `_time()` hook of every time comparison.
    function _time() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
