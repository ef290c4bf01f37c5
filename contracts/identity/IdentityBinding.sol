// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SuiteAdmin} from "../governance/SuiteAdmin.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {IIdentityBinding} from "../interfaces/IIdentityBinding.sol";
import {DIDActors} from "../utils/DIDActors.sol";
import {Signatures} from "../utils/Signatures.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";

/// @title IdentityBinding — document and person commitments bound one-to-one to DIDs
/// @notice Kept apart from the eID registry so that the ERC-1056 registry stays role-free, small
/// and as cheap as the reference; this contract reads the registry for DID actors and to refuse
/// deactivated DIDs.
///
/// Invariants:
/// - A document commitment is bound to at most one identity; `identityOf(c) == i` iff `c` is in
///   `commitmentsOf(i)`.
/// - Per person: `identityOfPerson(p) == i` iff `personOf(i) == p`, and iff `i` holds a document
///   (`isBound(i)` iff `personOf(i) != 0`); so one person has one DID and one DID one person.
/// - Only holders of REGISTRAR_ROLE bind; only DEFAULT_ADMIN_ROLE (governance) admits and removes
///   registrars. A binding is removed only by its registrar (while admitted), its DID's actor or
///   governance; it moves only by governance or by the signatures of both the old and the new DID.
/// - A (re)binding targets an identity that is active in the registry (`identityOwner != 0`).
/// - Nothing but 32-byte commitments and addresses is stored or logged (no personal data).
contract IdentityBinding is IIdentityBinding, DIDActors, SuiteAdmin, EIP712, SignerNonces {
    /// @inheritdoc IIdentityBinding
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @dev keccak256("Rebind(address from,address to,uint16 reason,address signer,uint256 nonce,uint256 deadline)")
    bytes32 public constant REBIND_TYPEHASH =
        keccak256("Rebind(address from,address to,uint16 reason,address signer,uint256 nonce,uint256 deadline)");

    /// @dev slot 0: identity + boundAt; slot 1: registrar + position (1-based index in `_commitments`).
    struct Entry {
        address identity;
        uint64 boundAt;
        address registrar;
        uint96 position;
    }

    mapping(bytes32 commitment => Entry) private _entries;
    // slither-disable-next-line uninitialized-state — written through `bytes32[] storage` pointers in _add/_remove/_move
    mapping(address identity => bytes32[]) private _commitments;
    mapping(address identity => bytes32 person) private _personOf;
    mapping(bytes32 person => address identity) private _identityOfPerson;

    /// @param registry_ the eID registry (ERC-1056) whose identities are bound.
    /// @param admin governance: receives DEFAULT_ADMIN_ROLE and admits registrars.
    constructor(IERC1056 registry_, address admin)
        DIDActors(registry_, "sigAuth")
        EIP712("TheKey Identity Binding", "1")
        SuiteAdmin(admin)
    {}

    /// @inheritdoc IIdentityBinding
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    /// @inheritdoc IIdentityBinding
    function registry() external view returns (address) {
        return address(_identities);
    }

    /// @inheritdoc IIdentityBinding
    function bind(bytes32 commitment, bytes32 person, address identity) external onlyRole(REGISTRAR_ROLE) {
        if (commitment == bytes32(0) || person == bytes32(0)) revert IdentityBindingZeroCommitment();
        address current = _entries[commitment].identity;
        if (current != address(0)) revert IdentityBindingCommitmentTaken(commitment, current);
        _checkActive(identity);
        address personIdentity = _identityOfPerson[person];
        if (personIdentity == address(0)) {
            bytes32 held = _personOf[identity];
            if (held != bytes32(0)) revert IdentityBindingIdentityTaken(identity, held);
            _personOf[identity] = person;
            _identityOfPerson[person] = identity;
        } else if (personIdentity != identity) {
            revert IdentityBindingPersonTaken(person, personIdentity);
        }
        _add(commitment, identity, msg.sender);
        emit IdentityBound(commitment, identity, msg.sender, person);
    }

    /// @inheritdoc IIdentityBinding
    function unbind(bytes32 commitment, uint16 reason) external {
        _checkReason(reason);
        Entry storage e = _entries[commitment];
        address identity = e.identity;
        if (identity == address(0)) revert IdentityBindingNotBound(commitment);
        bool allowed = (e.registrar == msg.sender && hasRole(REGISTRAR_ROLE, msg.sender))
            || _actsFor(identity, msg.sender) || hasRole(DEFAULT_ADMIN_ROLE, msg.sender);
        if (!allowed) revert IdentityBindingNotAllowed(commitment, msg.sender);
        _remove(commitment, identity);
        if (_commitments[identity].length == 0) {
            delete _identityOfPerson[_personOf[identity]];
            delete _personOf[identity];
        }
        emit IdentityUnbound(commitment, identity, msg.sender, reason);
    }

    /// @inheritdoc IIdentityBinding
    function rebind(address from, address to, uint16 reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _move(from, to, reason);
    }

    /// @inheritdoc IIdentityBinding
    function rebindBySig(
        address from,
        address to,
        uint16 reason,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (_time() > deadline) revert IdentityBindingExpiredSignature(deadline);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(REBIND_TYPEHASH, from, to, reason, signer, nonce, deadline)));
        if (!Signatures.isValidNow(signer, digest, signature)) revert IdentityBindingInvalidSignature(signer);
        _useCheckedNonce(signer, nonce);
        if (!_actsFor(from, signer)) revert IdentityBindingUnauthorized(from, signer);
        if (!_actsFor(to, msg.sender)) revert IdentityBindingUnauthorized(to, msg.sender);
        _move(from, to, reason);
    }

    // -- reads ----------------------------------------------------------------------------

    /// @inheritdoc IIdentityBinding
    function bindingOf(bytes32 commitment) external view returns (Binding memory) {
        Entry storage e = _entries[commitment];
        return Binding(e.identity, e.boundAt, e.registrar);
    }

    /// @inheritdoc IIdentityBinding
    function identityOf(bytes32 commitment) external view returns (address) {
        return _entries[commitment].identity;
    }

    /// @inheritdoc IIdentityBinding
    function registrarOf(bytes32 commitment) external view returns (address) {
        return _entries[commitment].registrar;
    }

    /// @inheritdoc IIdentityBinding
    function commitmentsOf(address identity) external view returns (bytes32[] memory) {
        return _commitments[identity];
    }

    /// @inheritdoc IIdentityBinding
    function personOf(address identity) external view returns (bytes32) {
        return _personOf[identity];
    }

    /// @inheritdoc IIdentityBinding
    function identityOfPerson(bytes32 person) external view returns (address) {
        return _identityOfPerson[person];
    }

    /// @inheritdoc IIdentityBinding
    function isBound(address identity) external view returns (bool) {
        return _commitments[identity].length != 0;
    }

    /// @inheritdoc IIdentityBinding
    function nonces(address signer) public view override(IIdentityBinding, Nonces) returns (uint256) {
        return super.nonces(signer);
    }

    // -- internals ------------------------------------------------------------------------

    function _add(bytes32 commitment, address identity, address registrar) private {
        bytes32[] storage list = _commitments[identity];
        list.push(commitment);
        // A list length never approaches 2**96.
        _entries[commitment] = Entry(identity, _time(), registrar, uint96(list.length));
    }

    /// @dev Swap-and-pop removal from the identity's list, then clear the entry.
    function _remove(bytes32 commitment, address identity) private {
        bytes32[] storage list = _commitments[identity];
        uint256 position = _entries[commitment].position;
        uint256 last = list.length;
        if (position != last) {
            bytes32 moved = list[last - 1];
            list[position - 1] = moved;
            _entries[moved].position = uint96(position);
        }
        list.pop();
        delete _entries[commitment];
    }

    /// @dev Moves the person of `from` and every document of it, in order, to `to`.
    function _move(address from, address to, uint16 reason) private {
        _checkReason(reason);
        bytes32 person = _personOf[from];
        if (person == bytes32(0)) revert IdentityBindingNoPerson(from);
        _checkActive(to);
        bytes32 held = _personOf[to];
        if (held != bytes32(0)) revert IdentityBindingIdentityTaken(to, held);
        bytes32[] storage source = _commitments[from];
        bytes32[] storage target = _commitments[to];
        uint64 now_ = _time();
        uint256 n = source.length;
        for (uint256 i; i < n; ++i) {
            bytes32 c = source[i];
            target.push(c);
            Entry storage e = _entries[c];
            e.identity = to;
            e.boundAt = now_;
        }
        delete _commitments[from];
        delete _personOf[from];
        _personOf[to] = person;
        _identityOfPerson[person] = to;
        emit IdentityRebound(person, from, to, msg.sender, reason);
    }

    function _checkActive(address identity) private view {
        if (identity == address(0) || !_isActive(identity)) revert IdentityBindingInactiveIdentity(identity);
    }

    function _checkReason(uint16 reason) private pure {
        if (reason == 0) revert IdentityBindingMissingReason();
    }
}
