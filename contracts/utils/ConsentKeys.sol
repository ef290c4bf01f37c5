// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @title ConsentKeys — the keys and ids of consents, shared by the consent registry and the
/// contracts that read it (DataRoutes)
/// @notice A consent tuple's key is `keccak256(abi.encode(subject, grantee, scope, purpose))`; the
/// tuple's `serial`-th consent has id `keccak256(abi.encode(key, serial))`.
library ConsentKeys {
    /// @dev keccak256(abi.encode(subject, grantee, scope, purpose)), in free memory (not reserved).
    function tupleKey(address subject, address grantee, bytes32 scope, bytes32 purpose)
        internal
        pure
        returns (bytes32 k)
    {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, subject)
            mstore(add(m, 0x20), grantee)
            mstore(add(m, 0x40), scope)
            mstore(add(m, 0x60), purpose)
            k := keccak256(m, 0x80)
        }
    }

    /// @dev keccak256(abi.encode(key, serial)), in the scratch space.
    function consentId(bytes32 key, uint32 serial) internal pure returns (bytes32 id) {
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, serial)
            id := keccak256(0x00, 0x40)
        }
    }
}
