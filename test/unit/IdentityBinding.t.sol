// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {EIDRegistry} from "../../contracts/identity/EIDRegistry.sol";
import {IdentityBinding} from "../../contracts/identity/IdentityBinding.sol";
import {IIdentityBinding} from "../../contracts/interfaces/IIdentityBinding.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

interface IAccessErrorsB {
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
}

contract IdentityBindingTest is Test {
    EIDRegistry internal ids;
    IdentityBinding internal bind;
    address internal constant ADMIN = address(0xAD);
    address internal constant REGISTRAR = address(0x4E6);
    address internal constant REGISTRAR2 = address(0x4E7);
    address internal constant STRANGER = address(0xBAD);
    uint256 internal constant FROM_KEY = 0xF4;
    address internal from;
    address internal constant TO = address(0x70);
    bytes32 internal constant C1 = keccak256("c1");
    bytes32 internal constant C2 = keccak256("c2");
    bytes32 internal constant C3 = keccak256("c3");
    bytes32 internal constant P1 = keccak256("p1");
    bytes32 internal constant P2 = keccak256("p2");

    function setUp() public {
        ids = new EIDRegistry();
        bind = new IdentityBinding(IERC1056(address(ids)), ADMIN);
        from = vm.addr(FROM_KEY);
        vm.startPrank(ADMIN);
        bind.grantRole(bind.REGISTRAR_ROLE(), REGISTRAR);
        bind.grantRole(bind.REGISTRAR_ROLE(), REGISTRAR2);
        vm.stopPrank();
        vm.warp(5_000);
    }

    function _bind(bytes32 c, bytes32 p, address id) internal {
        vm.prank(REGISTRAR);
        bind.bind(c, p, id);
    }

    function test_views__version_registry_and_reads() public {
        assertTrue(keccak256(bytes(bind.version())) == keccak256("2.0.0"), "version");
        assertEq(bind.registry(), address(ids), "registry");
        _bind(C1, P1, from);
        IIdentityBinding.Binding memory b = bind.bindingOf(C1);
        assertEq(b.identity, from, "binding identity");
        assertEq(bind.identityOf(C1), from, "identityOf");
        assertEq(bind.registrarOf(C1), REGISTRAR, "registrar");
        assertEq(bind.commitmentsOf(from).length, 1, "commitments");
        assertEq(bind.personOf(from), P1, "person");
        assertEq(bind.identityOfPerson(P1), from, "identity of person");
        assertTrue(bind.isBound(from), "bound");
        assertEq(bind.nonces(from), 0, "nonce");
    }

    function test_bind__refuses_a_stranger() public {
        bytes32 role = bind.REGISTRAR_ROLE();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsB.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        bind.bind(C1, P1, from);
    }

    function test_bind__refuses_every_bad_binding() public {
        vm.startPrank(REGISTRAR);
        vm.expectRevert(IIdentityBinding.IdentityBindingZeroCommitment.selector);
        bind.bind(bytes32(0), P1, from);
        vm.expectRevert(IIdentityBinding.IdentityBindingZeroCommitment.selector);
        bind.bind(C1, bytes32(0), from);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingInactiveIdentity.selector, address(0)));
        bind.bind(C1, P1, address(0));
        bind.bind(C1, P1, from);
        bind.bind(C2, P1, from); // a second document of the same person
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingCommitmentTaken.selector, C1, from));
        bind.bind(C1, P1, from);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingPersonTaken.selector, P1, from));
        bind.bind(C3, P1, TO);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingIdentityTaken.selector, from, P1));
        bind.bind(C3, P2, from);
        vm.stopPrank();
        vm.prank(TO);
        ids.deactivate(TO);
        vm.prank(REGISTRAR);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingInactiveIdentity.selector, TO));
        bind.bind(C3, P2, TO);
    }

    function test_unbind__by_registrar_owner_or_admin_swaps_the_last_in() public {
        _bind(C1, P1, from);
        _bind(C2, P1, from);
        _bind(C3, P1, from);
        vm.prank(REGISTRAR);
        bind.unbind(C1, 1); // moves C3 into the first place
        assertEq(bind.commitmentsOf(from)[0], C3, "swapped");
        vm.prank(from);
        bind.unbind(C3, 4); // C2 moves in
        vm.prank(ADMIN);
        bind.unbind(C2, 5); // the last one
        assertTrue(!bind.isBound(from), "unbound");
        assertEq(bind.identityOfPerson(P1), address(0), "person freed");
    }

    function test_unbind__refuses_bad_calls() public {
        vm.expectRevert(IIdentityBinding.IdentityBindingMissingReason.selector);
        bind.unbind(C1, 0);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingNotBound.selector, C1));
        bind.unbind(C1, 1);
        _bind(C1, P1, from);
        vm.prank(REGISTRAR2); // a registrar, not this binding's
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingNotAllowed.selector, C1, REGISTRAR2));
        bind.unbind(C1, 1);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingNotAllowed.selector, C1, STRANGER));
        bind.unbind(C1, 1);
    }

    function test_rebind__moves_every_commitment_and_refuses_bad_moves() public {
        _bind(C1, P1, from);
        _bind(C2, P1, from);
        bytes32 role = bind.DEFAULT_ADMIN_ROLE();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IAccessErrorsB.AccessControlUnauthorizedAccount.selector, STRANGER, role));
        bind.rebind(from, TO, 1);
        vm.startPrank(ADMIN);
        vm.expectRevert(IIdentityBinding.IdentityBindingMissingReason.selector);
        bind.rebind(from, TO, 0);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingNoPerson.selector, TO));
        bind.rebind(TO, from, 1);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingIdentityTaken.selector, from, P1));
        bind.rebind(from, from, 1);
        bind.rebind(from, TO, 2);
        vm.stopPrank();
        assertEq(bind.commitmentsOf(TO).length, 2, "moved");
        assertEq(bind.identityOf(C2), TO, "entry moved");
        assertEq(bind.personOf(TO), P1, "person moved");
    }

    function _rebindSig(address to, uint16 reason, uint256 nonce, uint256 deadline) internal view returns (bytes memory) {
        return Sig.sign(
            vm, FROM_KEY, address(bind), keccak256(abi.encode(bind.REBIND_TYPEHASH(), from, to, reason, from, nonce, deadline))
        );
    }

    function test_rebindBySig__moves_on_both_holders_word() public {
        _bind(C1, P1, from);
        uint256 d = block.timestamp;
        bytes memory s = _rebindSig(TO, 4, 0, d);
        vm.prank(TO);
        bind.rebindBySig(from, TO, 4, from, 0, d, s);
        assertEq(bind.identityOf(C1), TO, "moved");
        assertEq(bind.nonces(from), 1, "nonce used");
    }

    function test_rebindBySig__refuses_expired_forged_and_unauthorized() public {
        _bind(C1, P1, from);
        uint256 d = block.timestamp - 1;
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingExpiredSignature.selector, d));
        bind.rebindBySig(from, TO, 4, from, 0, d, "");
        d = block.timestamp;
        bytes memory s = _rebindSig(TO, 4, 0, d);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingInvalidSignature.selector, STRANGER));
        bind.rebindBySig(from, TO, 4, STRANGER, 0, d, s);
        vm.prank(STRANGER); // not TO's actor
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingUnauthorized.selector, TO, STRANGER));
        bind.rebindBySig(from, TO, 4, from, 0, d, s);
        // the signer no longer acts for `from`
        vm.prank(from);
        ids.changeOwner(from, STRANGER);
        vm.prank(TO);
        vm.expectRevert(abi.encodeWithSelector(IIdentityBinding.IdentityBindingUnauthorized.selector, from, from));
        bind.rebindBySig(from, TO, 4, from, 0, d, s);
    }
}
