// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../utils/Signatures.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {IEIDRegistry} from "../interfaces/IEIDRegistry.sol";

/// @title EIDRegistry — ERC-1056 compatible DID registry with EIP-712 signed changes
/// @notice `did:ethr` DIDs: the exact ERC-1056 functions, getters and events (so `ethr-did-resolver`
/// resolves against it unmodified), EIP-712 signed variants bound to chain and contract, and final
/// deactivation.
///
/// Invariants:
/// - `identityOwner(identity)` is `identity` until the owner is changed, then the last owner set.
/// - Once deactivated, `identityOwner(identity) == address(0)` forever and every change of the
///   identity reverts with `EIDRegistryDeactivated`; `validDelegate` is false for it.
/// - Only the current owner changes an identity: directly (`msg.sender`) or by its EIP-712
///   signature (plain key or ERC-1271 wallet).
/// - A signature is valid once (the owner's nonce is consumed), on this chain and this contract
///   only, until its deadline inclusive, and never in its malleable (high-`s`) form.
/// - Every change emits exactly one ERC-1056 event whose `previousChange` is the block of the
///   identity's previous change (0 for the first), and sets `changed(identity)` to this block.
/// - `validDelegate(i, t, d)` is true exactly while `delegates(i, keccak256(abi.encode(t)), d)` is
///   in the future (the reference's storage key, kept for getter compatibility).
///
/// Gas: an identity's owner, deactivation flag and last-change block share one storage slot,
/// so each change reads one cold slot and writes one (the reference reads two and writes two).
contract EIDRegistry is IEIDRegistry, EIP712, SignerNonces {
    /// @dev One slot per identity. `owner` is zero until changed (and after deactivation).
    struct Record {
        address owner;
        uint64 changed;
        bool deactivated;
    }

    /// keccak256("ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)")
    bytes32 public constant CHANGE_OWNER_TYPEHASH =
        keccak256("ChangeOwner(address identity,address newOwner,uint256 nonce,uint256 deadline)");
    /// keccak256("AddDelegate(address identity,bytes32 delegateType,address delegate,uint256 validity,uint256 nonce,uint256 deadline)")
    bytes32 public constant ADD_DELEGATE_TYPEHASH = keccak256(
        "AddDelegate(address identity,bytes32 delegateType,address delegate,uint256 validity,uint256 nonce,uint256 deadline)"
    );
    /// keccak256("RevokeDelegate(address identity,bytes32 delegateType,address delegate,uint256 nonce,uint256 deadline)")
    bytes32 public constant REVOKE_DELEGATE_TYPEHASH = keccak256(
        "RevokeDelegate(address identity,bytes32 delegateType,address delegate,uint256 nonce,uint256 deadline)"
    );
    /// keccak256("SetAttribute(address identity,bytes32 name,bytes value,uint256 validity,uint256 nonce,uint256 deadline)")
    bytes32 public constant SET_ATTRIBUTE_TYPEHASH = keccak256(
        "SetAttribute(address identity,bytes32 name,bytes value,uint256 validity,uint256 nonce,uint256 deadline)"
    );
    /// keccak256("RevokeAttribute(address identity,bytes32 name,bytes value,uint256 nonce,uint256 deadline)")
    bytes32 public constant REVOKE_ATTRIBUTE_TYPEHASH =
        keccak256("RevokeAttribute(address identity,bytes32 name,bytes value,uint256 nonce,uint256 deadline)");
    /// keccak256("Deactivate(address identity,uint256 nonce,uint256 deadline)")
    bytes32 public constant DEACTIVATE_TYPEHASH = keccak256("Deactivate(address identity,uint256 nonce,uint256 deadline)");

    mapping(address identity => Record) private _records;

    /// @inheritdoc IERC1056
    mapping(address identity => mapping(bytes32 typeKey => mapping(address delegate => uint256 validTo)))
        public delegates;

    constructor() EIP712("TheKey EIDRegistry", "1") {}

    // ---------------------------------------------------------------- reads

    /// @inheritdoc IEIDRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @inheritdoc IERC1056
    function owners(address identity) external view returns (address) {
        return _records[identity].owner;
    }

    /// @inheritdoc IERC1056
    function changed(address identity) external view returns (uint256) {
        return _records[identity].changed;
    }

    /// @inheritdoc IERC1056
    function nonce(address owner) external view returns (uint256) {
        return nonces(owner);
    }

    /// @inheritdoc IEIDRegistry
    function nonces(address owner) public view override(IEIDRegistry, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IEIDRegistry
    function isDeactivated(address identity) external view returns (bool) {
        return _records[identity].deactivated;
    }

    /// @inheritdoc IERC1056
    function identityOwner(address identity) public view returns (address) {
        return _ownerOf(identity, _records[identity]);
    }

    /// @inheritdoc IERC1056
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool) {
        return !_records[identity].deactivated && delegates[identity][_typeKey(delegateType)][delegate] > _time();
    }

    // ---------------------------------------------------------------- direct changes (ERC-1056)

    /// @inheritdoc IERC1056
    function changeOwner(address identity, address newOwner) external {
        _changeOwner(identity, msg.sender, newOwner);
    }

    /// @inheritdoc IEIDRegistry
    function deactivate(address identity) external {
        _changeOwner(identity, msg.sender, address(0));
    }

    /// @inheritdoc IERC1056
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external {
        _addDelegate(identity, msg.sender, delegateType, delegate, validity);
    }

    /// @inheritdoc IERC1056
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external {
        _revokeDelegate(identity, msg.sender, delegateType, delegate);
    }

    /// @inheritdoc IERC1056
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external {
        _setAttribute(identity, msg.sender, name, value, validity);
    }

    /// @inheritdoc IERC1056
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external {
        _revokeAttribute(identity, msg.sender, name, value);
    }

    // ---------------------------------------------------------------- signed changes (EIP-712)

    /// @inheritdoc IEIDRegistry
    function changeOwnerBySig(address identity, address newOwner, uint256 deadline, bytes calldata signature)
        external
    {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity,
            owner,
            keccak256(abi.encode(CHANGE_OWNER_TYPEHASH, identity, newOwner, _useNonce(owner), deadline)),
            signature
        );
        _changeOwner(identity, owner, newOwner);
    }

    /// @inheritdoc IEIDRegistry
    function deactivateBySig(address identity, uint256 deadline, bytes calldata signature) external {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity, owner, keccak256(abi.encode(DEACTIVATE_TYPEHASH, identity, _useNonce(owner), deadline)), signature
        );
        _changeOwner(identity, owner, address(0));
    }

    /// @inheritdoc IEIDRegistry
    function addDelegateBySig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity,
            owner,
            keccak256(
                abi.encode(
                    ADD_DELEGATE_TYPEHASH, identity, delegateType, delegate, validity, _useNonce(owner), deadline
                )
            ),
            signature
        );
        _addDelegate(identity, owner, delegateType, delegate, validity);
    }

    /// @inheritdoc IEIDRegistry
    function revokeDelegateBySig(
        address identity,
        bytes32 delegateType,
        address delegate,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity,
            owner,
            keccak256(abi.encode(REVOKE_DELEGATE_TYPEHASH, identity, delegateType, delegate, _useNonce(owner), deadline)),
            signature
        );
        _revokeDelegate(identity, owner, delegateType, delegate);
    }

    /// @inheritdoc IEIDRegistry
    function setAttributeBySig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 validity,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity,
            owner,
            keccak256(
                abi.encode(SET_ATTRIBUTE_TYPEHASH, identity, name, keccak256(value), validity, _useNonce(owner), deadline)
            ),
            signature
        );
        _setAttribute(identity, owner, name, value, validity);
    }

    /// @inheritdoc IEIDRegistry
    function revokeAttributeBySig(
        address identity,
        bytes32 name,
        bytes calldata value,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _checkSigned(identity, deadline);
        _checkSignature(
            identity,
            owner,
            keccak256(abi.encode(REVOKE_ATTRIBUTE_TYPEHASH, identity, name, keccak256(value), _useNonce(owner), deadline)),
            signature
        );
        _revokeAttribute(identity, owner, name, value);
    }

    // ---------------------------------------------------------------- internals

    function _changeOwner(address identity, address actor, address newOwner) internal {
        uint256 previous = _checkOwner(identity, actor);
        // A block number fits in 64 bits for the lifetime of any chain.
        _records[identity] = Record(newOwner, uint64(block.number), newOwner == address(0));
        emit DIDOwnerChanged(identity, newOwner, previous);
    }

    function _addDelegate(address identity, address actor, bytes32 delegateType, address delegate, uint256 validity)
        internal
    {
        uint256 previous = _checkOwner(identity, actor);
        uint256 validTo = _time() + validity;
        delegates[identity][_typeKey(delegateType)][delegate] = validTo;
        _records[identity].changed = uint64(block.number);
        emit DIDDelegateChanged(identity, delegateType, delegate, validTo, previous);
    }

    function _revokeDelegate(address identity, address actor, bytes32 delegateType, address delegate) internal {
        uint256 previous = _checkOwner(identity, actor);
        uint256 now_ = _time();
        delegates[identity][_typeKey(delegateType)][delegate] = now_;
        _records[identity].changed = uint64(block.number);
        emit DIDDelegateChanged(identity, delegateType, delegate, now_, previous);
    }

    function _setAttribute(address identity, address actor, bytes32 name, bytes calldata value, uint256 validity)
        internal
    {
        uint256 previous = _checkOwner(identity, actor);
        _records[identity].changed = uint64(block.number);
        emit DIDAttributeChanged(identity, name, value, _time() + validity, previous);
    }

    function _revokeAttribute(address identity, address actor, bytes32 name, bytes calldata value) internal {
        uint256 previous = _checkOwner(identity, actor);
        _records[identity].changed = uint64(block.number);
        emit DIDAttributeChanged(identity, name, value, 0, previous);
    }

    /// @dev Reverts unless `actor` owns the active `identity`; returns the identity's previous change block.
    function _checkOwner(address identity, address actor) internal view returns (uint256 previous) {
        Record memory record = _records[identity];
        if (record.deactivated) revert EIDRegistryDeactivated(identity);
        address owner = record.owner == address(0) ? identity : record.owner;
        if (actor != owner) revert EIDRegistryUnauthorized(identity, actor, owner);
        return record.changed;
    }

    /// @dev Reverts when the deadline passed or the identity is deactivated; returns the current owner.
    function _checkSigned(address identity, uint256 deadline) internal view returns (address owner) {
        if (_time() > deadline) revert EIDRegistryExpiredSignature(deadline);
        Record memory record = _records[identity];
        if (record.deactivated) revert EIDRegistryDeactivated(identity);
        return record.owner == address(0) ? identity : record.owner;
    }

    function _checkSignature(address identity, address owner, bytes32 structHash, bytes calldata signature)
        internal
        view
    {
        if (!Signatures.isValidNow(owner, _hashTypedDataV4(structHash), signature)) {
            revert EIDRegistryInvalidSignature(identity, owner);
        }
    }

    function _ownerOf(address identity, Record storage record) private view returns (address) {
        if (record.deactivated) return address(0);
        address owner = record.owner;
        return owner == address(0) ? identity : owner;
    }

    /// @dev The reference registry's storage key of a delegate type: keccak256(abi.encode(delegateType)).
    function _typeKey(bytes32 delegateType) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, delegateType)
            key := keccak256(0x00, 0x20)
        }
    }

    /// @dev The time hook (overridable in test harnesses).
    function _time() internal view virtual returns (uint256) {
        return block.timestamp;
    }
}
