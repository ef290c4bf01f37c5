// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentityBinding — real-world identity ↔ DID, through KYC'd registrars
/// @notice Governance (DEFAULT_ADMIN_ROLE) admits and removes registrars (REGISTRAR_ROLE, KYC'd user
/// agents). A registrar binds a DID (an ERC-1056 identity address) to a *document commitment* and a
/// *person commitment*: HMAC-SHA256 under a registrar-held pepper, domain-separated by chain id and
/// this contract's address, over the normalised (document type, issuing country, number), resp. the
/// person's civil registration (issuing country, national identity number) — see
/// `thekey.identity.commitment`. No document or identity number ever reaches the chain.
///
/// One-to-one, per document and per person: a document commitment maps to exactly one DID; a
/// person commitment maps to exactly one DID and a DID to at most one person. A DID may hold
/// several documents of its person (ID card and passport).
///
/// Nobody moves another party's binding without that party's word:
/// - `unbind` is open to the registrar that made the binding (withdrawing its own attestation),
///   to an actor of the bound DID (the holder), and to governance.
/// - `rebind` (a person's DID is replaced, e.g. after a lost key) moves the person and all its
///   documents to an unbound DID. It takes governance (the lost-key path: the old key cannot sign),
///   or `rebindBySig`: an EIP-712 signature by an actor of the old DID, submitted by an actor of
///   the new DID, so both keys agree. No single registrar can move a binding.
///
/// Reason codes (non-zero): 1 = key lost / DID replaced, 2 = document replaced or expired,
/// 3 = registrar error corrected, 4 = holder's request, 5 = fraud, 6 = holder deceased; other
/// non-zero codes are free for policy.
interface IIdentityBinding {
    /// @notice One document binding. `boundAt` is the time of the (re)binding, 0 for none.
    struct Binding {
        address identity;
        uint64 boundAt;
        address registrar;
    }

    /// @notice The zero commitment is not a commitment (document or person).
    error IdentityBindingZeroCommitment();
    /// @notice `commitment` is already bound, to `identity`.
    error IdentityBindingCommitmentTaken(bytes32 commitment, address identity);
    /// @notice `commitment` is not bound.
    error IdentityBindingNotBound(bytes32 commitment);
    /// @notice `identity` is deactivated in the eID registry (or the zero address); it cannot be bound.
    error IdentityBindingInactiveIdentity(address identity);
    /// @notice Unbinding and rebinding need a non-zero reason code.
    error IdentityBindingMissingReason();
    /// @notice The person `person` is already bound to another DID, `identity`.
    error IdentityBindingPersonTaken(bytes32 person, address identity);
    /// @notice The DID `identity` is already bound to a person (`person`): it cannot take another.
    error IdentityBindingIdentityTaken(address identity, bytes32 person);
    /// @notice `identity` holds no binding: there is nothing to move.
    error IdentityBindingNoPerson(address identity);
    /// @notice `caller` is neither the binding's registrar, an actor of its DID, nor governance.
    error IdentityBindingNotAllowed(bytes32 commitment, address caller);
    /// @notice `account` does not act for the DID `identity` (owner or valid sigAuth delegate).
    error IdentityBindingUnauthorized(address identity, address account);
    /// @notice The signed request expired at `deadline`.
    error IdentityBindingExpiredSignature(uint256 deadline);
    /// @notice The signature is not `signer`'s.
    error IdentityBindingInvalidSignature(address signer);

    /// @notice `registrar` bound document `commitment` of person `person` to `identity`.
    event IdentityBound(
        bytes32 indexed commitment, address indexed identity, address indexed registrar, bytes32 person
    );
    /// @notice `by` removed the binding of `commitment` to `identity`, for `reason`.
    event IdentityUnbound(bytes32 indexed commitment, address indexed identity, address indexed by, uint16 reason);
    /// @notice `by` moved person `person` and all its documents from `previousIdentity` to `identity`.
    event IdentityRebound(
        bytes32 indexed person, address indexed previousIdentity, address indexed identity, address by, uint16 reason
    );

    /// @notice Bind document `commitment` of person `person` to the active DID `identity`. Registrars only.
    function bind(bytes32 commitment, bytes32 person, address identity) external;

    /// @notice Remove the binding of `commitment`: its registrar, an actor of its DID, or governance.
    /// The DID's person link goes with its last document.
    function unbind(bytes32 commitment, uint16 reason) external;

    /// @notice Governance moves the person bound to `from`, with all its documents, to the active,
    /// unbound DID `to` (the lost-key path).
    function rebind(address from, address to, uint16 reason) external;

    /// @notice The same move on the holder's word: `signer` (an actor of `from`) signed
    /// `Rebind(from, to, reason, signer, nonce, deadline)`; the caller acts for `to`.
    function rebindBySig(
        address from,
        address to,
        uint16 reason,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The binding of `commitment` (all zero when unbound).
    function bindingOf(bytes32 commitment) external view returns (Binding memory);

    /// @notice The DID bound to `commitment` (zero when unbound).
    function identityOf(bytes32 commitment) external view returns (address);

    /// @notice The registrar that made the binding of `commitment` (zero when unbound).
    function registrarOf(bytes32 commitment) external view returns (address);

    /// @notice The document commitments bound to `identity` (unordered).
    function commitmentsOf(address identity) external view returns (bytes32[] memory);

    /// @notice The person commitment bound to `identity` (zero when unbound).
    function personOf(address identity) external view returns (bytes32);

    /// @notice The DID person `person` is bound to (zero when unbound).
    function identityOfPerson(bytes32 person) external view returns (address);

    /// @notice Whether `identity` holds at least one binding.
    function isBound(address identity) external view returns (bool);

    /// @notice The role of registrars: keccak256("REGISTRAR_ROLE").
    function REGISTRAR_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 type hash of `Rebind`.
    function REBIND_TYPEHASH() external view returns (bytes32);

    /// @notice The eID registry whose DIDs are bound.
    function registry() external view returns (address);

    /// @notice The signer's next nonce in lane 0 (see `ISignerNonces` for lanes and cancellation).
    function nonces(address signer) external view returns (uint256);

    /// @notice The deployed implementation's version.
    function version() external pure returns (string memory);
}
