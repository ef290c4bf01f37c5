// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIssuerRegistry — the authority issuers of verifiable credentials
/// @notice A governance role (GOVERNOR_ROLE) admits *authority issuers* — a DID
/// (`did:ethr:<chain>:<issuer>`) with the hash of its legal name and the credential types it
/// may issue — and suspends, reinstates and removes them. History matters:
/// - a credential anchored while its issuer was active and authorised for its type stays valid
///   after a later suspension or a later withdrawal of the type (unless revoked);
/// - nothing can be anchored while the issuer is suspended or removed;
/// - removal is final and invalidates every credential the issuer ever anchored.
/// Credential types are `bytes32` identifiers, by convention keccak256 of the W3C VC type name
/// (e.g. keccak256("UniversityDegreeCredential")).
interface IIssuerRegistry {
    enum IssuerStatus {
        None,
        Active,
        Suspended,
        Removed
    }

    /// @notice An issuer as stored. Times are UNIX seconds, 0 = none.
    /// @param id compact id (1-based) used inside credential records.
    /// @param statusWatermark the end of the issuer's status list so far (a multiple of 128):
    /// entries below it may be changed; words at or above it have never been written.
    struct Issuer {
        uint32 id;
        IssuerStatus status;
        uint64 admittedAt;
        uint64 statusChangedAt;
        uint64 statusWatermark;
        bytes32 nameHash;
    }

    event IssuerAdded(address indexed issuer, uint32 id, bytes32 nameHash);
    event IssuerTypesChanged(address indexed issuer, bytes32[] credentialTypes, bool allowed);
    event IssuerSuspended(address indexed issuer, bytes32 reason);
    event IssuerReinstated(address indexed issuer, bytes32 reason);
    event IssuerRemoved(address indexed issuer, bytes32 reason);

    /// @notice `issuer` already has a record (issuers are admitted once; removal is final).
    error IssuerAlreadyRegistered(address issuer, IssuerStatus status);
    /// @notice The zero address cannot be an issuer.
    error IssuerZeroAddress();
    /// @notice The operation needs `issuer` to be in another state than `status`.
    error IssuerInvalidStatus(address issuer, IssuerStatus status);
    /// @notice `issuer` is not active and authorised for `credentialType` right now.
    error IssuerNotAuthorised(address issuer, bytes32 credentialType);
    /// @notice `issuer` was admitted but is `status` (Suspended or Removed): it cannot act now.
    error IssuerNotActive(address issuer, IssuerStatus status);

    /// @notice The role that admits, suspends, reinstates and removes issuers.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice Admit `issuer` as active, authorised for `credentialTypes`. Only GOVERNOR_ROLE.
    function addIssuer(address issuer, bytes32 nameHash, bytes32[] calldata credentialTypes) external;

    /// @notice Allow (or withdraw) credential types for a known issuer. Withdrawal only affects
    /// future anchoring. Only GOVERNOR_ROLE.
    function setIssuerTypes(address issuer, bytes32[] calldata credentialTypes, bool allowed) external;

    /// @notice Suspend an active issuer: it can anchor nothing until reinstated. Only GOVERNOR_ROLE.
    function suspendIssuer(address issuer, bytes32 reason) external;

    /// @notice Reinstate a suspended issuer. Only GOVERNOR_ROLE.
    function reinstateIssuer(address issuer, bytes32 reason) external;

    /// @notice Remove an active or suspended issuer, for ever. Only GOVERNOR_ROLE.
    function removeIssuer(address issuer, bytes32 reason) external;

    /// @notice The record of `issuer` (status None when unknown).
    function getIssuer(address issuer) external view returns (Issuer memory);

    /// @notice The issuer with compact id `id` (zero address when none).
    function issuerById(uint32 id) external view returns (address);

    /// @notice Number of issuers ever admitted.
    function issuerCount() external view returns (uint256);

    /// @notice Whether `issuer` is active and may anchor credentials of `credentialType` now.
    function isAuthorised(address issuer, bytes32 credentialType) external view returns (bool);
}
