// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {EIDRegistry} from "../../contracts/identity/EIDRegistry.sol";
import {ConsentRegistry} from "../../contracts/consent/ConsentRegistry.sol";
import {DataRoutes} from "../../contracts/consent/DataRoutes.sol";
import {IConsentRegistry} from "../../contracts/interfaces/IConsentRegistry.sol";
import {IDataRoutes} from "../../contracts/interfaces/IDataRoutes.sol";
import {IERC1056} from "../../contracts/interfaces/IERC1056.sol";

/// @notice Reaches `_isLive` with serial 0 (the public reads never pass it one: a route or link
/// exists only under a consent).
contract DataRoutesHarness is DataRoutes {
    constructor(IERC1056 ids, ConsentRegistry consents) DataRoutes(address(0xAD), ids, consents) {}

    function isLiveHere(uint32 serial) external view returns (bool) {
        return _isLive(bytes32(0), address(1), address(2), bytes32(0), serial);
    }
}

contract DataRoutesTest is Test {
    EIDRegistry internal ids;
    ConsentRegistry internal consents;
    DataRoutes internal routes;
    address internal constant ADMIN = address(0xAD);
    uint256 internal constant ORG_KEY = 0x0A6;
    uint256 internal constant SUBJECT_KEY = 0x5B;
    address internal org;
    address internal subject;
    address internal constant UNREGISTERED = address(0x0B2);
    address internal constant STRANGER = address(0xBAD);
    bytes32 internal constant CAT = keccak256("payslips");
    bytes32 internal constant DIGEST = keccak256("data");
    bytes32 internal constant ACCOUNT = keccak256("acct-1");
    bytes32 internal PURPOSE;
    bytes32 internal LINK;

    function setUp() public {
        ids = new EIDRegistry();
        consents = new ConsentRegistry(IERC1056(address(ids)));
        routes = new DataRoutes(ADMIN, IERC1056(address(ids)), consents);
        org = vm.addr(ORG_KEY);
        subject = vm.addr(SUBJECT_KEY);
        vm.startPrank(ADMIN);
        routes.grantRole(routes.ORGANISATION_ROLE(), org);
        vm.stopPrank();
        PURPOSE = routes.ROUTE_PURPOSE();
        LINK = routes.ACCOUNT_LINK_SCOPE();
        vm.warp(100_000);
    }

    function _consent(bytes32 scope, uint32 maxUses) internal returns (bytes32 id) {
        vm.prank(subject);
        id = consents.grant(IConsentRegistry.GrantRequest(subject, org, scope, PURPOSE, 0, 0, maxUses));
    }

    function _req(uint64 at) internal view returns (IDataRoutes.RouteRequest memory) {
        return IDataRoutes.RouteRequest(org, subject, CAT, DIGEST, at);
    }

    function _publish(uint64 at) internal returns (bytes32) {
        vm.prank(org);
        return routes.publish(_req(at));
    }

    function test_views__version_registry_nonces() public view {
        assertTrue(keccak256(bytes(routes.version())) == keccak256("2.0.0"), "version");
        assertEq(routes.consentRegistry(), address(consents), "consents");
        assertEq(routes.nonces(org), 0, "nonce");
        assertEq(routes.GOVERNOR_ROLE(), keccak256("GOVERNOR_ROLE"), "governor");
        (bytes32 id, uint32 uses) = routes.consentUses(subject, org, CAT);
        assertEq(id, bytes32(0), "no consent id");
        assertEq(uses, 0, "no uses");
        IDataRoutes.Route memory r = routes.getRoute(subject, org, CAT);
        assertEq(r.updatedAt, 0, "no route");
        assertEq(routes.accountSubject(org, ACCOUNT), address(0), "no link");
        assertTrue(!routes.isRouteLive(subject, org, CAT), "no live route");
    }

    function test_publish__publishes_under_consent_and_counts_uses() public {
        bytes32 cid = _consent(CAT, 2);
        bytes32 id = _publish(uint64(block.timestamp));
        assertEq(id, routes.routeId(subject, org, CAT), "route id");
        assertTrue(routes.isRouteLive(subject, org, CAT), "live");
        IDataRoutes.Route memory r = routes.getRoute(subject, org, CAT);
        assertEq(r.digest, DIGEST, "digest");
        assertEq(r.consentId, cid, "consent id");
        (bytes32 usedId, uint32 uses) = routes.consentUses(subject, org, CAT);
        assertEq(usedId, cid, "uses id");
        assertEq(uses, 1, "one use");
        _publish(uint64(block.timestamp));
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesConsentExhausted.selector, cid, 2));
        routes.publish(_req(uint64(block.timestamp)));
    }

    function test_publish__refuses_bad_requests() public {
        vm.prank(UNREGISTERED);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesUnregisteredOrganisation.selector, UNREGISTERED));
        routes.publish(IDataRoutes.RouteRequest(UNREGISTERED, subject, CAT, DIGEST, 1));
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesUnauthorized.selector, org, STRANGER));
        routes.publish(_req(1));
        IDataRoutes.RouteRequest memory r = _req(1);
        r.digest = bytes32(0);
        vm.startPrank(org);
        vm.expectRevert(IDataRoutes.RoutesZeroValue.selector);
        routes.publish(r);
        r = _req(1);
        r.subject = address(0);
        vm.expectRevert(IDataRoutes.RoutesZeroValue.selector);
        routes.publish(r);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesInvalidUpdateTime.selector, 0, 0));
        routes.publish(_req(0));
        uint64 future = uint64(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesInvalidUpdateTime.selector, future, 0));
        routes.publish(_req(future));
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesNoConsent.selector, subject, org, CAT));
        routes.publish(_req(5));
        vm.stopPrank();
        _consent(CAT, 0);
        _publish(50);
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesInvalidUpdateTime.selector, 49, 50));
        routes.publish(_req(49));
    }

    function test_publish__a_new_consent_restarts_the_use_count() public {
        _consent(CAT, 1);
        _publish(10);
        bytes32 second = _consent(CAT, 1);
        _publish(11);
        (bytes32 id, uint32 uses) = routes.consentUses(subject, org, CAT);
        assertEq(id, second, "second consent");
        assertEq(uses, 1, "restarted");
    }

    function _grantSig(IConsentRegistry.GrantRequest memory g, uint32 serial, uint256 d) internal view returns (bytes memory) {
        return Sig.sign(
            vm, SUBJECT_KEY, address(consents), keccak256(abi.encode(consents.GRANT_TYPEHASH(), g, serial, subject, d))
        );
    }

    function test_publishWithConsent__grants_and_publishes_in_one_call() public {
        IConsentRegistry.GrantRequest memory g = IConsentRegistry.GrantRequest(subject, org, CAT, PURPOSE, 0, 0, 0);
        uint256 d = block.timestamp;
        bytes memory s = _grantSig(g, 1, d);
        vm.prank(org);
        routes.publishWithConsent(_req(7), g, 1, subject, d, s);
        assertTrue(routes.isRouteLive(subject, org, CAT), "live");
    }

    function test_publishWithConsent__refuses_a_mismatched_consent() public {
        IConsentRegistry.GrantRequest memory g = IConsentRegistry.GrantRequest(subject, org, CAT, keccak256("other"), 0, 0, 0);
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesConsentMismatch.selector, subject, org, CAT, g.purpose));
        routes.publishWithConsent(_req(7), g, 1, subject, block.timestamp, "");
        g = IConsentRegistry.GrantRequest(STRANGER, org, CAT, PURPOSE, 0, 0, 0);
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesConsentMismatch.selector, STRANGER, org, CAT, PURPOSE));
        routes.publishWithConsent(_req(7), g, 1, subject, block.timestamp, "");
        g = IConsentRegistry.GrantRequest(subject, STRANGER, CAT, PURPOSE, 0, 0, 0);
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesConsentMismatch.selector, subject, STRANGER, CAT, PURPOSE));
        routes.publishWithConsent(_req(7), g, 1, subject, block.timestamp, "");
        g = IConsentRegistry.GrantRequest(subject, org, LINK, PURPOSE, 0, 0, 0);
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesConsentMismatch.selector, subject, org, LINK, PURPOSE));
        routes.publishWithConsent(_req(7), g, 1, subject, block.timestamp, "");
    }

    function _publishSig(IDataRoutes.RouteRequest memory r, uint256 nonce, uint256 d) internal view returns (bytes memory) {
        return Sig.sign(vm, ORG_KEY, address(routes), keccak256(abi.encode(routes.PUBLISH_TYPEHASH(), r, org, nonce, d)));
    }

    function test_publishBySig__publishes_on_the_organisations_signature_once() public {
        _consent(CAT, 0);
        uint256 d = block.timestamp;
        bytes memory s = _publishSig(_req(9), 0, d);
        vm.prank(STRANGER);
        routes.publishBySig(_req(9), org, 0, d, s);
        assertTrue(routes.isRouteLive(subject, org, CAT), "live");
        assertEq(routes.nonces(org), 1, "nonce");
        vm.expectRevert(abi.encodeWithSignature("InvalidAccountNonce(address,uint256)", org, 1));
        routes.publishBySig(_req(9), org, 0, d, s);
    }

    function test_publishBySig__refuses_expired_and_forged() public {
        uint256 d = block.timestamp - 1;
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesSignatureExpired.selector, d));
        routes.publishBySig(_req(9), org, 0, d, "");
        d = block.timestamp;
        bytes memory s = _publishSig(_req(9), 0, d);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesInvalidSignature.selector, STRANGER));
        routes.publishBySig(_req(9), STRANGER, 0, d, s);
    }

    function test_linkAccount__links_under_consent_and_refuses_bad_links() public {
        vm.startPrank(org);
        vm.expectRevert(IDataRoutes.RoutesZeroValue.selector);
        routes.linkAccount(org, ACCOUNT, address(0));
        vm.expectRevert(IDataRoutes.RoutesZeroValue.selector);
        routes.linkAccount(org, bytes32(0), subject);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesNoConsent.selector, subject, org, LINK));
        routes.linkAccount(org, ACCOUNT, subject);
        vm.stopPrank();
        bytes32 cid = _consent(LINK, 0);
        vm.prank(org);
        routes.linkAccount(org, ACCOUNT, subject);
        assertEq(routes.accountSubject(org, ACCOUNT), subject, "linked");
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesAccountAlreadyLinked.selector, org, ACCOUNT, subject));
        routes.linkAccount(org, ACCOUNT, subject);
        vm.prank(subject);
        consents.revoke(IConsentRegistry.ConsentKey(subject, org, LINK, PURPOSE), cid);
        assertEq(routes.accountSubject(org, ACCOUNT), address(0), "consent revoked: no link");
    }

    function test_withdrawRoute__by_either_party_only() public {
        _consent(CAT, 0);
        bytes32 id = _publish(3);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesNotAParty.selector, subject, org, STRANGER));
        routes.withdrawRoute(subject, org, CAT);
        vm.prank(subject);
        routes.withdrawRoute(subject, org, CAT);
        assertTrue(!routes.isRouteLive(subject, org, CAT), "withdrawn");
        vm.prank(org);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesNoRoute.selector, id));
        routes.withdrawRoute(subject, org, CAT);
        _publish(4);
        vm.prank(org);
        routes.withdrawRoute(subject, org, CAT);
    }

    function test_unlinkAccount__by_either_party_only() public {
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesAccountNotLinked.selector, org, ACCOUNT));
        routes.unlinkAccount(org, ACCOUNT);
        _consent(LINK, 0);
        vm.prank(org);
        routes.linkAccount(org, ACCOUNT, subject);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IDataRoutes.RoutesNotAParty.selector, subject, org, STRANGER));
        routes.unlinkAccount(org, ACCOUNT);
        vm.prank(subject);
        routes.unlinkAccount(org, ACCOUNT);
        assertEq(routes.accountSubject(org, ACCOUNT), address(0), "unlinked");
    }

    function test_isLive__serial_zero_is_never_live() public {
        DataRoutesHarness h = new DataRoutesHarness(IERC1056(address(ids)), consents);
        assertTrue(!h.isLiveHere(0), "serial 0");
        assertTrue(!h.isLiveHere(1), "no such consent");
    }
}
