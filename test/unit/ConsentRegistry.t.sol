// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {EIDRegistry} from "../../contracts/identity/EIDRegistry.sol";
import {ConsentRegistry} from "../../contracts/consent/ConsentRegistry.sol";
import {IConsentRegistry} from "../../contracts/interfaces/IConsentRegistry.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

contract ConsentRegistryTest is Test {
    EIDRegistry internal ids;
    ConsentRegistry internal reg;
    uint256 internal constant SUBJECT_KEY = 0x5B;
    address internal subject;
    address internal constant GRANTEE = address(0x6A);
    address internal constant STRANGER = address(0xBAD);
    address internal constant DELEGATE = address(0xDE1E);
    bytes32 internal constant SCOPE = keccak256("health");
    bytes32 internal constant PURPOSE = keccak256("research");

    function setUp() public {
        ids = new EIDRegistry();
        reg = new ConsentRegistry(IERC1056(address(ids)));
        subject = vm.addr(SUBJECT_KEY);
        vm.warp(10_000);
    }

    function _req(uint64 from, uint64 until, uint32 maxUses) internal view returns (IConsentRegistry.GrantRequest memory) {
        return IConsentRegistry.GrantRequest(subject, GRANTEE, SCOPE, PURPOSE, from, until, maxUses);
    }

    function _key() internal view returns (IConsentRegistry.ConsentKey memory) {
        return IConsentRegistry.ConsentKey(subject, GRANTEE, SCOPE, PURPOSE);
    }

    function _grant(uint64 from, uint64 until, uint32 maxUses) internal returns (bytes32 id) {
        vm.prank(subject);
        id = reg.grant(_req(from, until, maxUses));
    }

    function _grantSig(IConsentRegistry.GrantRequest memory r, uint32 serial, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        return Sig.sign(vm, SUBJECT_KEY, address(reg), keccak256(abi.encode(reg.GRANT_TYPEHASH(), r, serial, subject, deadline)));
    }

    function test_views__version_registry_actsFor() public {
        assertTrue(keccak256(bytes(reg.version())) == keccak256("2.0.0"), "version");
        assertEq(reg.identityRegistry(), address(ids), "registry");
        assertTrue(reg.actsFor(subject, subject), "owner acts");
        assertTrue(!reg.actsFor(subject, DELEGATE), "stranger does not");
        vm.prank(subject);
        ids.addDelegate(subject, "sigAuth", DELEGATE, 100);
        assertTrue(reg.actsFor(subject, DELEGATE), "delegate acts");
        assertEq(reg.currentConsent(subject, GRANTEE, SCOPE, PURPOSE), bytes32(0), "none yet");
        (bytes32 id,,) = reg.liveConsent(_key());
        assertEq(id, bytes32(0), "no live consent");
    }

    function test_grant__then_reads_and_use() public {
        bytes32 id = _grant(0, 0, 2);
        assertEq(reg.consentId(_key(), 1), id, "id");
        assertEq(reg.currentConsent(subject, GRANTEE, SCOPE, PURPOSE), id, "current");
        assertTrue(reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "authorized");
        assertTrue(reg.isLive(_key(), id), "live");
        assertTrue(!reg.isLive(_key(), bytes32(uint256(1))), "other id not live");
        (bytes32 live, uint32 serial, uint32 maxUses) = reg.liveConsent(_key());
        assertEq(live, id, "live id");
        assertEq(serial, 1, "serial");
        assertEq(maxUses, 2, "max uses");
        vm.startPrank(GRANTEE);
        assertEq(reg.recordUse(_key(), id, "a"), 1, "use 1");
        assertEq(reg.recordUse(_key(), id, "b"), 2, "use 2");
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "exhausted");
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentExhausted.selector, id, 2));
        reg.recordUse(_key(), id, "c");
        vm.stopPrank();
        IConsentRegistry.Consent memory c = reg.getConsent(_key());
        assertEq(c.uses, 2, "uses");
        assertEq(c.validFrom, block.timestamp, "valid from now");
    }

    function test_grant__refuses_a_stranger_and_zero_identities() public {
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentUnauthorized.selector, subject, STRANGER));
        reg.grant(_req(0, 0, 0));
        IConsentRegistry.GrantRequest memory r = _req(0, 0, 0);
        r.grantee = address(0);
        vm.prank(subject);
        vm.expectRevert(IConsentRegistry.ConsentZeroIdentity.selector);
        reg.grant(r);
    }

    function test_grant__refuses_invalid_windows() public {
        uint64 t = uint64(block.timestamp);
        vm.startPrank(subject);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentInvalidWindow.selector, t + 10, t + 5));
        reg.grant(_req(t + 10, t + 5, 0));
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentInvalidWindow.selector, t - 10, t - 5));
        reg.grant(_req(t - 10, t - 5, 0));
        uint64 big = uint64(type(uint40).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentInvalidWindow.selector, t, big));
        reg.grant(_req(0, big, 0));
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentInvalidWindow.selector, big, 0));
        reg.grant(_req(big, 0, 0));
        vm.stopPrank();
    }

    function test_grant__regrant_supersedes_the_live_consent() public {
        bytes32 first = _grant(0, 0, 0);
        bytes32 second = _grant(0, 0, 0);
        assertTrue(first != second, "new id");
        vm.prank(GRANTEE);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentNotCurrent.selector, first, second));
        reg.recordUse(_key(), first, "x");
        vm.prank(subject);
        reg.revoke(_key(), second);
        _grant(0, 0, 0); // a regrant after a revocation
    }

    function test_grantBySig__accepts_the_subjects_signature_for_the_next_serial() public {
        IConsentRegistry.GrantRequest memory r = _req(0, 0, 0);
        uint256 d = block.timestamp;
        bytes32 id = reg.grantBySig(r, 1, subject, d, _grantSig(r, 1, d));
        assertEq(reg.currentConsent(subject, GRANTEE, SCOPE, PURPOSE), id, "granted");
        bytes memory s = _grantSig(r, 1, d);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentGrantSuperseded.selector, 1, 2));
        reg.grantBySig(r, 1, subject, d, s);
    }

    function test_grantBySig__refuses_expired_and_forged_signatures() public {
        IConsentRegistry.GrantRequest memory r = _req(0, 0, 0);
        uint256 d = block.timestamp - 1;
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentSignatureExpired.selector, d));
        reg.grantBySig(r, 1, subject, d, "");
        d = block.timestamp;
        bytes memory s = _grantSig(r, 1, d);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentInvalidSignature.selector, STRANGER));
        reg.grantBySig(r, 1, STRANGER, d, s);
    }

    function test_revokeBySig__revokes_once() public {
        bytes32 id = _grant(0, 0, 0);
        uint256 d = block.timestamp;
        bytes memory s = Sig.sign(vm, SUBJECT_KEY, address(reg), keccak256(abi.encode(reg.REVOKE_TYPEHASH(), id, subject, d)));
        reg.revokeBySig(_key(), id, subject, d, s);
        assertTrue(!reg.isLive(_key(), id), "revoked");
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRevokedAlready.selector, id, uint64(block.timestamp)));
        reg.revokeBySig(_key(), id, subject, d, s);
    }

    function test_revoke__refuses_a_stranger_and_an_ungranted_tuple() public {
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentNotGranted.selector, subject, GRANTEE, SCOPE, PURPOSE));
        reg.revoke(_key(), bytes32(0));
        bytes32 id = _grant(0, 0, 0);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentUnauthorized.selector, subject, STRANGER));
        reg.revoke(_key(), id);
    }

    function test_recordUse__refuses_every_dead_consent() public {
        uint64 t = uint64(block.timestamp);
        bytes32 id = _grant(t + 100, t + 200, 0);
        vm.startPrank(GRANTEE);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentNotYetValid.selector, id, t + 100));
        reg.recordUse(_key(), id, "x");
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "not yet");
        vm.warp(t + 201);
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "expired");
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentExpired.selector, id, t + 200));
        reg.recordUse(_key(), id, "x");
        vm.stopPrank();
        id = _grant(0, 0, 0);
        vm.prank(subject);
        reg.revoke(_key(), id);
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "revoked");
        vm.prank(GRANTEE);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRevokedAlready.selector, id, uint64(block.timestamp)));
        reg.recordUse(_key(), id, "x");
        id = _grant(0, 0, 0);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentUnauthorized.selector, GRANTEE, STRANGER));
        reg.recordUse(_key(), id, "x");
        vm.prank(subject);
        ids.deactivate(subject);
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "deactivated");
        vm.prank(GRANTEE);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentSubjectDeactivated.selector, id, subject));
        reg.recordUse(_key(), id, "x");
    }

    function test_recordUse__refuses_a_route_consent() public {
        IConsentRegistry.GrantRequest memory r = _req(0, 0, 0);
        r.purpose = reg.ROUTE_PURPOSE();
        vm.prank(subject);
        bytes32 id = reg.grant(r);
        IConsentRegistry.ConsentKey memory k = IConsentRegistry.ConsentKey(subject, GRANTEE, SCOPE, r.purpose);
        vm.prank(GRANTEE);
        vm.expectRevert(abi.encodeWithSelector(IConsentRegistry.ConsentRouteUse.selector, id));
        reg.recordUse(k, id, "x");
    }

    function test_isAuthorized__false_when_the_grantee_is_deactivated() public {
        _grant(0, 0, 0);
        vm.prank(GRANTEE);
        ids.deactivate(GRANTEE);
        assertTrue(!reg.isAuthorized(subject, GRANTEE, SCOPE, PURPOSE), "grantee deactivated");
        assertTrue(!reg.actsFor(GRANTEE, GRANTEE), "a deactivated DID has no actor");
    }
}
