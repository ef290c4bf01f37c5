// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IERC1056 — the Ethereum DID registry surface (ERC-1056, `did:ethr`)
/// @notice The exact function signatures, storage getters and events of the reference
/// `EthereumDIDRegistry`, so that unmodified `did:ethr` resolvers work against any
/// implementation. The legacy `*Signed` variants (whose signatures bind no chain id) are
/// deliberately not part of this surface; see IEIDRegistry for the EIP-712 variants.
///
/// Conventions shared by every contract of TheKey that reads identities:
/// - `identityOwner(identity)` is the controller of `did:ethr:<chain>:<identity>`; it is the
///   identity itself until the owner is changed.
/// - A deactivated DID has `identityOwner(identity) == address(0)`, permanently.
/// - `validDelegate(identity, delegateType, delegate)` is true while the delegation has not expired.
interface IERC1056 {
    /// @notice The owner of `identity` changed to `owner`. `previousChange` is the block of the
    /// identity's previous change (0 for the first), linking its history for resolvers.
    event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);

    /// @notice A delegate of type `delegateType` was added (valid until `validTo`) or revoked
    /// (`validTo` = the block timestamp of revocation).
    event DIDDelegateChanged(
        address indexed identity, bytes32 delegateType, address delegate, uint256 validTo, uint256 previousChange
    );

    /// @notice An attribute was set (valid until `validTo`) or revoked (`validTo` = 0).
    event DIDAttributeChanged(
        address indexed identity, bytes32 name, bytes value, uint256 validTo, uint256 previousChange
    );

    /// @notice Explicitly set owners (zero where the owner was never changed).
    function owners(address identity) external view returns (address);

    /// @notice Expiry timestamp of a delegation (0 if none).
    function delegates(address identity, bytes32 delegateType, address delegate) external view returns (uint256);

    /// @notice Block number of the identity's latest change (0 if none).
    function changed(address identity) external view returns (uint256);

    /// @notice The legacy per-owner nonce of ERC-1056 (kept for getter compatibility).
    function nonce(address owner) external view returns (uint256);

    /// @notice The current controller of `identity` (see conventions above).
    function identityOwner(address identity) external view returns (address);

    /// @notice Whether `delegate` is a non-expired delegate of `identity` for `delegateType`.
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);

    function changeOwner(address identity, address newOwner) external;

    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external;

    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external;

    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external;

    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external;
}
