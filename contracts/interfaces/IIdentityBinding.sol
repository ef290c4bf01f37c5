// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentityBinding — real-world identity ↔ DID, through KYC'd registrars
/// @notice Governance (DEFAULT_ADMIN_ROLE) admits and removes registrars (REGISTRAR_ROLE, KYC'd user
/// agents). A registrar binds a DID (an ERC-1056 identity address) to a *commitment* of a real-world
/// document: HMAC-SHA256 under a registrar-held pepper, domain-separated by chain id and this
/// contract's address, over the normalised (document type, issuing country, number) — see
/// `thekey.commitment`. The document number never reaches the chain.
///
/// A commitment maps to exactly one DID; a DID may hold several commitments (ID card and passport
/// of the same person). Unbinding and rebinding (e.g. to a new DID after a lost key) go through any
/// registrar and carry a reason code:
/// 1 = key lost / DID replaced, 2 = document replaced or expired, 3 = registrar error corrected,
/// 4 = holder's request, 5 = fraud, 6 = holder deceased; other non-zero codes are free for policy.
interface IIdentityBinding {
    /// @notice One binding. `boundAt` is the time of the (re)binding, 0 for none.
    struct Binding {
        address identity;
        uint64 boundAt;
        address registrar;
    }

    /// @notice The zero commitment is not a commitment.
    error IdentityBindingZeroCommitment();
    /// @notice `commitment` is already bound, to `identity`.
    error IdentityBindingCommitmentTaken(bytes32 commitment, address identity);
    /// @notice `commitment` is not bound.
    error IdentityBindingNotBound(bytes32 commitment);
    /// @notice `identity` is deactivated in the eID registry (or the zero address); it cannot be bound.
    error IdentityBindingInactiveIdentity(address identity);
    /// @notice `commitment` is already bound to `identity`: a rebind must move it.
    error IdentityBindingSameIdentity(bytes32 commitment, address identity);
    /// @notice Unbinding and rebinding need a non-zero reason code.
    error IdentityBindingMissingReason();

    /// @notice `registrar` bound `commitment` to `identity`.
    event IdentityBound(bytes32 indexed commitment, address indexed identity, address indexed registrar);
    /// @notice `registrar` removed the binding of `commitment` to `identity`, for `reason`.
    event IdentityUnbound(
        bytes32 indexed commitment, address indexed identity, address indexed registrar, uint16 reason
    );
    /// @notice `registrar` moved `commitment` from `previousIdentity` to `identity`, for `reason`.
    event IdentityRebound(
        bytes32 indexed commitment,
        address indexed previousIdentity,
        address indexed identity,
        address registrar,
        uint16 reason
    );

    /// @notice Bind `commitment` to the active DID `identity`. Registrars only.
    function bind(bytes32 commitment, address identity) external;

    /// @notice Remove the binding of `commitment`. Registrars only.
    function unbind(bytes32 commitment, uint16 reason) external;

    /// @notice Move `commitment` to the active DID `identity`. Registrars only.
    function rebind(bytes32 commitment, address identity, uint16 reason) external;

    /// @notice The binding of `commitment` (all zero when unbound).
    function bindingOf(bytes32 commitment) external view returns (Binding memory);

    /// @notice The DID bound to `commitment` (zero when unbound).
    function identityOf(bytes32 commitment) external view returns (address);

    /// @notice The registrar that made the binding of `commitment` (zero when unbound).
    function registrarOf(bytes32 commitment) external view returns (address);

    /// @notice The commitments bound to `identity` (unordered).
    function commitmentsOf(address identity) external view returns (bytes32[] memory);

    /// @notice Whether `identity` holds at least one binding.
    function isBound(address identity) external view returns (bool);

    /// @notice The role of registrars: keccak256("REGISTRAR_ROLE").
    function REGISTRAR_ROLE() external view returns (bytes32);

    /// @notice The eID registry whose DIDs are bound.
    function registry() external view returns (address);

    /// @notice The deployed implementation's version.
    function version() external pure returns (string memory);
}
