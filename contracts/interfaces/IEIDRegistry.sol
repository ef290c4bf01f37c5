// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1056} from "./IERC1056.sol";

/// @title IEIDRegistry — TheKey's eID registry: ERC-1056 plus EIP-712 signed changes and deactivation
/// @notice Every address is a `did:ethr:<chainIdHex>:<address>` DID from the start (no registration).
/// The ERC-1056 surface (`IERC1056`) is kept exactly, so unmodified `did:ethr` resolvers work.
///
/// Signed variants: the identity's current owner signs an EIP-712 message (domain: name
/// "TheKey EIDRegistry", version "1", chain id, this contract) carrying the owner's next nonce
/// (`nonces(owner)`) and a deadline; anyone relays it and pays the gas. Contract wallets sign
/// through ERC-1271. The legacy ERC-1056 `*Signed(identity, v, r, s, …)` variants are not offered:
/// their digest binds no chain id, so a signature replays on every chain where a registry sits at
/// the same address.
///
/// Deactivation: `changeOwner(identity, address(0))` or `deactivate(identity)` makes
/// `identityOwner(identity)` return `address(0)` forever; nothing can change the DID afterwards.
interface IEIDRegistry is IERC1056 {
    /// @notice `actor` is not the owner `owner` of `identity`.
    error EIDRegistryUnauthorized(address identity, address actor, address owner);
    /// @notice `identity` is deactivated; it can never change again.
    error EIDRegistryDeactivated(address identity);
    /// @notice The signed change expired at `deadline` (valid up to and including it).
    error EIDRegistryExpiredSignature(uint256 deadline);
    /// @notice The signature is not the current owner's `owner` signature of this change of `identity`.
    error EIDRegistryInvalidSignature(address identity, address owner);

    /// @notice Deactivate `identity` (the owner changes to `address(0)`; emits `DIDOwnerChanged`). Owner only.
    function deactivate(address identity) external;

    /// @notice `changeOwner` signed by the current owner.
    /// Signs `ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)`.
    function changeOwnerBySig(address identity, address newOwner, uint256 deadline, bytes calldata signature) external;

    /// @notice `addDelegate` signed by the current owner. Signs
    /// `AddDelegate(address identity,bytes32 delegateType,address delegate,uint256 validity,uint256 nonce,uint256 deadline)`.
    function addDelegateBySig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `revokeDelegate` signed by the current owner. Signs
    /// `RevokeDelegate(address identity,bytes32 delegateType,address delegate,uint256 nonce,uint256 deadline)`.
    function revokeDelegateBySig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `setAttribute` signed by the current owner. Signs
    /// `SetAttribute(address identity,bytes32 name,bytes value,uint256 validity,uint256 nonce,uint256 deadline)`.
    function setAttributeBySig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `revokeAttribute` signed by the current owner. Signs
    /// `RevokeAttribute(address identity,bytes32 name,bytes value,uint256 nonce,uint256 deadline)`.
    function revokeAttributeBySig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice `deactivate` signed by the current owner. Signs `Deactivate(address identity,uint256 nonce,uint256 deadline)`.
    function deactivateBySig(address identity, uint256 deadline, bytes calldata signature) external;

    /// @notice Whether `identity` is deactivated (then `identityOwner(identity) == address(0)`).
    function isDeactivated(address identity) external view returns (bool);

    /// @notice The next EIP-712 nonce of `owner` (OpenZeppelin `Nonces`); `nonce(owner)` returns the same.
    function nonces(address owner) external view returns (uint256);

    /// @notice The deployed implementation's version.
    function version() external pure returns (string memory);
}
