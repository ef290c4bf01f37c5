// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerBase} from "../../utils/HandlerBase.sol";
import {EIDRegistry} from "../../../contracts/identity/EIDRegistry.sol";
import {IdentityBinding} from "../../../contracts/identity/IdentityBinding.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";

/// @notice Drives the eID registry (owner changes, deactivation) and IdentityBinding (bind,
/// unbind, rebind by governance and by both DIDs' signatures) beside a ghost model. The attacker
/// is registrar 1 (one ordinary role), and the owners of other DIDs: they act on DIDs and bindings
/// that are not theirs, and every such call must fail.
contract IdentityHandler is HandlerBase {
    bytes32 public constant FOREIGN_ACT = "acted on another party's record";
    bytes32 public constant REFUSED = "legitimate call refused";
    bytes32 public constant OFF_MODEL = "outcome off the model";

    uint256 public constant DIDS = 3;
    uint256 public constant COMMITMENTS = 6;
    uint256 public constant PERSONS = 3;

    EIDRegistry public immutable eid;
    IdentityBinding public immutable binding;
    address[2] public registrars;

    address[DIDS] public dids;
    mapping(address did => uint256 pk) public ownerKey; // 0 once deactivated
    uint256 private _keys;

    mapping(bytes32 commitment => address) public ghostIdentityOf;
    mapping(bytes32 commitment => address) public ghostRegistrarOf;
    mapping(bytes32 person => address) public ghostIdentityOfPerson;
    mapping(address did => bytes32) public ghostPersonOf;
    mapping(address did => uint256) public ghostDocuments;

    constructor() {
        eid = new EIDRegistry();
        binding = new IdentityBinding(IERC1056(address(eid)), address(this));
        for (uint256 i = 0; i < 2; ++i) {
            registrars[i] = vm.addr(0x3500 + i);
            binding.grantRole(binding.REGISTRAR_ROLE(), registrars[i]);
        }
        for (uint256 i = 0; i < DIDS; ++i) {
            dids[i] = vm.addr(0x3600 + i);
            ownerKey[dids[i]] = 0x3600 + i;
        }
    }

    function commitment(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("document", i % COMMITMENTS));
    }

    function person(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("person", i % PERSONS));
    }

    function ghostOwner(address did) public view returns (address) {
        uint256 pk = ownerKey[did];
        return pk == 0 ? address(0) : vm.addr(pk);
    }

    function _judge(bool succeeded, bool expected, bool foreign, string memory what) private {
        if (succeeded && foreign) _breach(FOREIGN_ACT, what);
        else if (succeeded && !expected) _breach(OFF_MODEL, what);
        else if (!succeeded && expected) _breach(REFUSED, what);
    }

    // ------------------------------------------------------------------ eID registry

    /// @notice The owner hands its DID to a fresh key; a third of the time another DID's owner tries.
    function changeOwner(uint256 d, uint8 actorSeed) external {
        d = d % DIDS;
        address did = dids[d];
        bool foreign = actorSeed % 3 == 0;
        address actor = foreign ? ghostOwner(dids[(d + 1) % DIDS]) : ghostOwner(did);
        if (actor == address(0)) actor = did; // a deactivated DID: its raw key tries
        if (foreign && actor == ghostOwner(did)) return; // not an attacker after all
        uint256 next = 0x9000 + ++_keys;
        bool expected = !foreign && ownerKey[did] != 0;
        vm.prank(actor);
        try eid.changeOwner(did, vm.addr(next)) {
            _judge(true, expected, foreign, "changeOwner");
            ownerKey[did] = next;
        } catch {
            _judge(false, expected, foreign, "changeOwner");
        }
    }

    /// @notice DID 2's owner deactivates it (final).
    function deactivate() external {
        address did = dids[2];
        if (ownerKey[did] == 0) return;
        vm.prank(ghostOwner(did));
        eid.deactivate(did);
        ownerKey[did] = 0;
    }

    /// @notice A deactivated DID's former owner tries to bring it back (must fail).
    function resurrect(uint256 d) external {
        address did = dids[d % DIDS];
        if (ownerKey[did] != 0) return;
        vm.prank(did);
        try eid.changeOwner(did, did) {
            _breach(FOREIGN_ACT, "a deactivated DID changed");
        } catch {}
    }

    // ------------------------------------------------------------------ bindings

    function bind(uint256 r, uint256 c, uint256 p, uint256 d) external {
        bytes32 com = commitment(c);
        bytes32 per = person(p);
        address did = dids[d % DIDS];
        address held = ghostIdentityOfPerson[per];
        bool expected = ghostIdentityOf[com] == address(0) && ownerKey[did] != 0
            && (held == did || (held == address(0) && ghostPersonOf[did] == bytes32(0)));
        address registrar = registrars[r % 2];
        vm.prank(registrar);
        try binding.bind(com, per, did) {
            _judge(true, expected, false, "bind");
            ghostIdentityOf[com] = did;
            ghostRegistrarOf[com] = registrar;
            ghostIdentityOfPerson[per] = did;
            ghostPersonOf[did] = per;
            ghostDocuments[did] += 1;
        } catch {
            _judge(false, expected, false, "bind");
        }
    }

    /// @notice Unbind by its registrar, its DID's owner or governance; or by the other registrar or another DID's owner (attackers).
    function unbind(uint256 c, uint8 who) external {
        bytes32 com = commitment(c);
        address did = ghostIdentityOf[com];
        if (did == address(0)) return;
        who = who % 5;
        address actor;
        bool foreign;
        if (who == 0) actor = ghostRegistrarOf[com];
        else if (who == 1) actor = ghostOwner(did);
        else if (who == 2) actor = address(this);
        else if (who == 3) (actor, foreign) = (ghostRegistrarOf[com] == registrars[0] ? registrars[1] : registrars[0], true);
        else {
            address other = dids[0] == did ? dids[1] : dids[0];
            (actor, foreign) = (ghostOwner(other), true);
        }
        if (actor == address(0)) return;
        if (foreign && actor == ghostOwner(did)) return; // not an attacker after all
        bool expected = !foreign;
        if (actor != address(this)) vm.prank(actor);
        try binding.unbind(com, 1) {
            _judge(true, expected, foreign, "unbind");
            delete ghostIdentityOf[com];
            delete ghostRegistrarOf[com];
            if (--ghostDocuments[did] == 0) {
                delete ghostIdentityOfPerson[ghostPersonOf[did]];
                delete ghostPersonOf[did];
            }
        } catch {
            _judge(false, expected, foreign, "unbind");
        }
    }

    /// @notice Governance moves a person and its documents, or both DIDs sign for it, or an attacker tries.
    function rebind(uint256 f, uint256 t, uint8 how) external {
        f = f % DIDS;
        address from = dids[f];
        address to = dids[t % DIDS];
        how = how % 4;
        bool foreign = how >= 2;
        bool expected = !foreign && ghostPersonOf[from] != bytes32(0) && ownerKey[to] != 0
            && ghostPersonOf[to] == bytes32(0) && ownerKey[from] != 0;
        bool ok;
        if (how == 0) {
            // governance acts even for a deactivated source DID
            expected = ghostPersonOf[from] != bytes32(0) && ownerKey[to] != 0 && ghostPersonOf[to] == bytes32(0);
            (ok,) = address(binding).call(abi.encodeCall(binding.rebind, (from, to, 1)));
        } else if (how == 1) {
            ok = _rebindBySig(from, to, ownerKey[from], ghostOwner(to));
        } else if (how == 2) {
            vm.prank(registrars[1]); // the attacker registrar is not governance
            (ok,) = address(binding).call(abi.encodeCall(binding.rebind, (from, to, 1)));
        } else {
            // the attacker (another DID's owner) signs for `from` and submits for `to`: neither is its DID
            uint256 attackerKey = ownerKey[dids[(f + 2) % DIDS]];
            if (attackerKey == 0 || attackerKey == ownerKey[from] || vm.addr(attackerKey) == ghostOwner(to)) return;
            ok = _rebindBySig(from, to, attackerKey, vm.addr(attackerKey));
        }
        _judge(ok, expected, foreign, "rebind");
        if (ok) {
            bytes32 per = ghostPersonOf[from];
            for (uint256 i = 0; i < COMMITMENTS; ++i) {
                if (ghostIdentityOf[commitment(i)] == from) ghostIdentityOf[commitment(i)] = to;
            }
            ghostDocuments[to] = ghostDocuments[from];
            ghostDocuments[from] = 0;
            delete ghostPersonOf[from];
            ghostPersonOf[to] = per;
            ghostIdentityOfPerson[per] = to;
        }
    }

    function _rebindBySig(address from, address to, uint256 signerKey, address submitter) private returns (bool ok) {
        if (signerKey == 0 || submitter == address(0)) return false;
        address signer = vm.addr(signerKey);
        uint256 nonce = binding.nonces(signer);
        uint256 deadline = now_ + 1 hours;
        bytes32 structHash = keccak256(abi.encode(binding.REBIND_TYPEHASH(), from, to, uint16(1), signer, nonce, deadline));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, _digest(structHash));
        vm.prank(submitter);
        (ok,) = address(binding).call(
            abi.encodeCall(binding.rebindBySig, (from, to, 1, signer, nonce, deadline, abi.encodePacked(r, s, v)))
        );
    }

    function _digest(bytes32 structHash) private view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("TheKey Identity Binding"),
                keccak256("1"),
                block.chainid,
                address(binding)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function warp(uint256 seed) external {
        _warp(seed, 1 days);
    }
}
