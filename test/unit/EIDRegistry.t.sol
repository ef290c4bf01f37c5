// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {EIDRegistry} from "../../contracts/identity/EIDRegistry.sol";
import {IEIDRegistry} from "../../contracts/interfaces/IEIDRegistry.sol";
import {ISignerNonces} from "../../contracts/interfaces/ISignerNonces.sol";
import {TestWallet} from "../../contracts/test/TestWallet.sol";

contract EIDRegistryTest is Test {
    EIDRegistry internal reg;
    uint256 internal constant KEY = 0xA11CE;
    address internal id;
    address internal constant STRANGER = address(0xBAD);
    address internal constant NEW_OWNER = address(0x0E11);
    address internal constant DELEGATE = address(0xDE1E);
    bytes32 internal constant TYPE = keccak256("veriKey");

    function setUp() public {
        reg = new EIDRegistry();
        id = vm.addr(KEY);
        vm.warp(1_000);
    }

    function _sig(bytes32 structHash) internal view returns (bytes memory) {
        return Sig.sign(vm, KEY, address(reg), structHash);
    }

    function test_version__is_1_0_0() public view {
        assertTrue(keccak256(bytes(reg.version())) == keccak256("1.0.0"), "version");
    }

    function test_identityOwner__defaults_to_identity_then_follows_changes() public {
        assertEq(reg.identityOwner(id), id, "default owner");
        assertEq(reg.owners(id), address(0), "no record");
        vm.roll(7);
        vm.prank(id);
        reg.changeOwner(id, NEW_OWNER);
        assertEq(reg.identityOwner(id), NEW_OWNER, "changed owner");
        assertEq(reg.owners(id), NEW_OWNER, "owners");
        assertEq(reg.changed(id), 7, "changed block");
        assertEq(reg.nonce(id), 0, "nonce");
    }

    function test_changeOwner__refuses_a_stranger() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryUnauthorized.selector, id, STRANGER, id));
        reg.changeOwner(id, NEW_OWNER);
    }

    function test_deactivate__is_final() public {
        vm.prank(id);
        reg.deactivate(id);
        assertTrue(reg.isDeactivated(id), "deactivated");
        assertEq(reg.identityOwner(id), address(0), "no owner");
        assertTrue(!reg.validDelegate(id, TYPE, DELEGATE), "no delegate");
        vm.prank(id);
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryDeactivated.selector, id));
        reg.changeOwner(id, id);
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryDeactivated.selector, id));
        reg.deactivateBySig(id, block.timestamp, "");
    }

    function test_delegates__add_and_revoke() public {
        vm.startPrank(id);
        reg.addDelegate(id, TYPE, DELEGATE, 100);
        assertTrue(reg.validDelegate(id, TYPE, DELEGATE), "valid");
        reg.revokeDelegate(id, TYPE, DELEGATE);
        assertTrue(!reg.validDelegate(id, TYPE, DELEGATE), "revoked");
        reg.setAttribute(id, "name", "value", 10);
        reg.revokeAttribute(id, "name", "value");
        vm.stopPrank();
    }

    function test_changeOwnerBySig__accepts_the_owners_signature_once() public {
        uint256 deadline = block.timestamp + 1;
        bytes memory s = _sig(keccak256(abi.encode(reg.CHANGE_OWNER_TYPEHASH(), id, NEW_OWNER, 0, deadline)));
        reg.changeOwnerBySig(id, NEW_OWNER, deadline, s);
        assertEq(reg.identityOwner(id), NEW_OWNER, "owner");
        assertEq(reg.nonces(id), 1, "nonce used");
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryInvalidSignature.selector, id, NEW_OWNER));
        reg.changeOwnerBySig(id, NEW_OWNER, deadline, s);
    }

    function test_changeOwnerBySig__refuses_an_expired_deadline() public {
        uint256 deadline = block.timestamp - 1;
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryExpiredSignature.selector, deadline));
        reg.changeOwnerBySig(id, NEW_OWNER, deadline, "");
    }

    function test_addDelegateBySig__and_revokeDelegateBySig() public {
        uint256 d = block.timestamp;
        reg.addDelegateBySig(
            id, TYPE, DELEGATE, 50, d, _sig(keccak256(abi.encode(reg.ADD_DELEGATE_TYPEHASH(), id, TYPE, DELEGATE, 50, 0, d)))
        );
        assertTrue(reg.validDelegate(id, TYPE, DELEGATE), "added");
        reg.revokeDelegateBySig(
            id, TYPE, DELEGATE, d, _sig(keccak256(abi.encode(reg.REVOKE_DELEGATE_TYPEHASH(), id, TYPE, DELEGATE, 1, d)))
        );
        assertTrue(!reg.validDelegate(id, TYPE, DELEGATE), "revoked");
    }

    function test_setAttributeBySig__and_revokeAttributeBySig() public {
        uint256 d = block.timestamp;
        bytes memory value = "did:key";
        reg.setAttributeBySig(
            id, "k", value, 5, d, _sig(keccak256(abi.encode(reg.SET_ATTRIBUTE_TYPEHASH(), id, bytes32("k"), keccak256(value), 5, 0, d)))
        );
        reg.revokeAttributeBySig(
            id, "k", value, d, _sig(keccak256(abi.encode(reg.REVOKE_ATTRIBUTE_TYPEHASH(), id, bytes32("k"), keccak256(value), 1, d)))
        );
        assertEq(reg.nonces(id), 2, "two nonces");
    }

    function test_deactivateBySig__deactivates() public {
        uint256 d = block.timestamp;
        reg.deactivateBySig(id, d, _sig(keccak256(abi.encode(reg.DEACTIVATE_TYPEHASH(), id, 0, d))));
        assertTrue(reg.isDeactivated(id), "deactivated");
    }

    function test_invalidateNonces__skips_a_lane_and_refuses_bad_counts() public {
        uint256 next = reg.invalidateNonces(3, 4);
        assertEq(next, (uint256(3) << 64) | 4, "next");
        assertEq(reg.nonces(address(this), 3), next, "lane nonce");
        vm.expectRevert(abi.encodeWithSelector(ISignerNonces.NoncesInvalidCount.selector, 0));
        reg.invalidateNonces(3, 0);
        vm.expectRevert(abi.encodeWithSelector(ISignerNonces.NoncesInvalidCount.selector, uint256(type(uint16).max) + 1));
        reg.invalidateNonces(3, uint64(type(uint16).max) + 1);
    }

    function test_changeOwnerBySig__accepts_an_erc1271_owner_and_refuses_its_bad_signature() public {
        TestWallet wallet = new TestWallet(id);
        address w = address(wallet);
        uint256 d = block.timestamp;
        bytes memory s = _sig(keccak256(abi.encode(reg.CHANGE_OWNER_TYPEHASH(), w, NEW_OWNER, 0, d)));
        reg.changeOwnerBySig(w, NEW_OWNER, d, s);
        assertEq(reg.identityOwner(w), NEW_OWNER, "contract owner signed");
        TestWallet other = new TestWallet(STRANGER);
        address o = address(other);
        s = _sig(keccak256(abi.encode(reg.CHANGE_OWNER_TYPEHASH(), o, NEW_OWNER, 0, d)));
        vm.expectRevert(abi.encodeWithSelector(IEIDRegistry.EIDRegistryInvalidSignature.selector, o, o));
        reg.changeOwnerBySig(o, NEW_OWNER, d, s);
    }
}
