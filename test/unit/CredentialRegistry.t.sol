// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {CredentialsFixture} from "./CredentialsFixture.sol";
import {Sig} from "../utils/Sig.sol";
import {IIssuerRegistry} from "../../contracts/interfaces/IIssuerRegistry.sol";
import {ISchemaRegistry} from "../../contracts/interfaces/ISchemaRegistry.sol";
import {ICredentialRegistry} from "../../contracts/interfaces/ICredentialRegistry.sol";

contract CredentialRegistryTest is CredentialsFixture {
    bytes32 internal constant H = keccak256("credential");
    bytes32 internal constant H2 = keccak256("credential 2");

    function _anchor(bytes32 h, uint64 from, uint64 until, uint64 index) internal {
        vm.prank(issuer);
        reg.anchor(issuer, h, schema, from, until, index);
    }

    function _v(bytes32 h) internal view returns (uint256) {
        return uint256(reg.validityOf(issuer, h));
    }

    function test_views__version_registry() public view {
        assertTrue(keccak256(bytes(reg.version())) == keccak256("2.0.0"), "version");
        assertEq(reg.identityRegistry(), address(ids), "registry");
        assertEq(_v(H), uint256(ICredentialRegistry.Validity.NotAnchored), "not anchored");
    }

    function test_anchor__anchors_and_extends_the_status_list() public {
        _anchor(H, 0, 0, 1);
        assertTrue(reg.isValid(issuer, H), "valid");
        ICredentialRegistry.Anchor memory a = reg.getAnchor(issuer, H);
        assertEq(a.issuer, issuer, "issuer");
        assertEq(a.schemaId, schema, "schema");
        assertEq(a.statusIndex, 1, "index");
        _anchor(H2, 0, 0, 300); // past the list's end: words up to 2 prepared
        assertEq(reg.getIssuer(issuer).statusWatermark, 384, "end");
        uint256[] memory w = reg.statusWords(issuer, 0, 3);
        assertEq(w[2], 1, "word 2 prepared");
        ICredentialRegistry.CredentialRef[] memory refs = new ICredentialRegistry.CredentialRef[](2);
        refs[0] = ICredentialRegistry.CredentialRef(issuer, H);
        refs[1] = ICredentialRegistry.CredentialRef(issuer, keccak256("x"));
        bool[] memory ok = reg.isValidBatch(refs);
        assertTrue(ok[0] && !ok[1], "batch validity");
    }

    function test_anchor__refuses_every_bad_anchor() public {
        vm.startPrank(issuer);
        vm.expectRevert(ICredentialRegistry.CredentialInvalidAnchor.selector);
        reg.anchor(issuer, bytes32(0), schema, 0, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaUnknown.selector, bytes32(0)));
        reg.anchor(issuer, H, bytes32(0), 0, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidStatusIndex.selector, issuer, 128));
        reg.anchor(issuer, H, schema, 0, 0, 128);
        uint64 max = uint64(type(uint40).max - 128);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidStatusIndex.selector, issuer, max + 1));
        reg.anchor(issuer, H, schema, 0, 0, max + 1);
        uint64 t = uint64(block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidWindow.selector, t + 10, t + 5));
        reg.anchor(issuer, H, schema, t + 10, t + 5, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidWindow.selector, 0, t - 1));
        reg.anchor(issuer, H, schema, 0, t - 1, 1);
        uint64 big = uint64(type(uint40).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidWindow.selector, 0, big));
        reg.anchor(issuer, H, schema, 0, big, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidWindow.selector, big, 0));
        reg.anchor(issuer, H, schema, big, 0, 1);
        reg.anchor(issuer, H, schema, 0, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialAlreadyAnchored.selector, issuer, H));
        reg.anchor(issuer, H, schema, 0, 0, 2);
        vm.stopPrank();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialUnauthorisedCaller.selector, issuer, STRANGER));
        reg.anchor(issuer, H2, schema, 0, 0, 1);
    }

    function test_anchor__refuses_unusable_schemas_and_issuers() public {
        vm.prank(ISSUER2); // another issuer's schema
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaNotUsable.selector, schema, ISSUER2));
        reg.anchor(ISSUER2, H, schema, 0, 0, 1);
        vm.prank(ADMIN);
        bytes32 gov = reg.registerSchema(ADMIN, "{\"gov\":1}", TYPE, 1);
        vm.prank(STRANGER); // not an issuer at all
        vm.expectRevert(abi.encodeWithSelector(IIssuerRegistry.IssuerNotAuthorised.selector, STRANGER, TYPE));
        reg.anchor(STRANGER, H, gov, 0, 0, 1);
        vm.prank(ADMIN);
        reg.setIssuerTypes(ISSUER2, _one(TYPE), false);
        vm.prank(ISSUER2); // the type withdrawn
        vm.expectRevert(abi.encodeWithSelector(IIssuerRegistry.IssuerNotAuthorised.selector, ISSUER2, TYPE));
        reg.anchor(ISSUER2, H, gov, 0, 0, 1);
        vm.prank(ADMIN);
        reg.suspendIssuer(issuer, "s");
        vm.prank(issuer);
        vm.expectRevert(
            abi.encodeWithSelector(IIssuerRegistry.IssuerNotActive.selector, issuer, IIssuerRegistry.IssuerStatus.Suspended)
        );
        reg.anchor(issuer, H, gov, 0, 0, 1);
        vm.prank(ADMIN);
        reg.deprecateSchema(gov);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ISchemaRegistry.SchemaIsDeprecated.selector, gov, uint64(block.timestamp)));
        reg.anchor(issuer, H, gov, 0, 0, 1);
    }

    function test_anchorBatch__anchors_extends_and_refuses_repeats() public {
        vm.startPrank(issuer);
        reg.anchorBatch(issuer, "root", schema, 0, 0, 1, 200);
        assertEq(reg.getIssuer(issuer).statusWatermark, 256, "end after first batch");
        reg.anchorBatch(issuer, "root2", schema, 0, 0, 1000, 5);
        assertEq(reg.getIssuer(issuer).statusWatermark, 1024, "end after second batch");
        reg.anchorBatch(issuer, "root3", schema, 0, 0, 2, 3); // inside the list: nothing to extend
        assertEq(reg.getBatch(issuer, "root").count, 200, "count");
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialBatchAlreadyAnchored.selector, issuer, bytes32("root")));
        reg.anchorBatch(issuer, "root", schema, 0, 0, 1, 1);
        vm.expectRevert(ICredentialRegistry.CredentialInvalidAnchor.selector);
        reg.anchorBatch(issuer, bytes32(0), schema, 0, 0, 1, 1);
        vm.expectRevert(ICredentialRegistry.CredentialInvalidAnchor.selector);
        reg.anchorBatch(issuer, "r", schema, 0, 0, 1, 0);
        uint64 max = uint64(type(uint40).max - 128);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidStatusIndex.selector, issuer, max - 1));
        reg.anchorBatch(issuer, "r", schema, 0, 0, max - 1, 2);
        vm.stopPrank();
    }

    function _sign(bytes32 structHash) internal view returns (bytes memory) {
        return Sig.sign(vm, ISSUER_KEY, address(reg), structHash);
    }

    function test_anchorBySig__anchors_on_the_issuers_signature_once() public {
        ICredentialRegistry.AnchorRequest memory r = ICredentialRegistry.AnchorRequest(issuer, H, schema, 0, 0, 5);
        uint64 d = uint64(block.timestamp);
        bytes memory s = _sign(keccak256(abi.encode(reg.ANCHOR_TYPEHASH(), issuer, H, schema, 0, 0, 5, 0, d)));
        vm.prank(STRANGER);
        reg.anchorBySig(r, issuer, 0, d, s);
        assertTrue(reg.isValid(issuer, H), "anchored");
        vm.expectRevert(abi.encodeWithSignature("InvalidAccountNonce(address,uint256)", issuer, 1));
        reg.anchorBySig(r, issuer, 0, d, s);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialExpiredSignature.selector, d - 1));
        reg.anchorBySig(r, issuer, 1, d - 1, s);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialInvalidSignature.selector, STRANGER));
        reg.anchorBySig(r, STRANGER, 0, d, s);
        // a valid signature from someone who does not control the issuer
        ICredentialRegistry.AnchorRequest memory r2 = ICredentialRegistry.AnchorRequest(ISSUER2, H2, schema, 0, 0, 5);
        bytes memory s2 = _sign(keccak256(abi.encode(reg.ANCHOR_TYPEHASH(), ISSUER2, H2, schema, 0, 0, 5, 1, d)));
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialUnauthorisedCaller.selector, ISSUER2, issuer));
        reg.anchorBySig(r2, issuer, 1, d, s2);
    }

    function test_anchorBatchBySig__anchors_on_the_issuers_signature() public {
        ICredentialRegistry.BatchRequest memory r = ICredentialRegistry.BatchRequest(issuer, "root", schema, 0, 0, 1, 4);
        uint64 d = uint64(block.timestamp);
        bytes memory s =
            _sign(keccak256(abi.encode(reg.ANCHOR_BATCH_TYPEHASH(), issuer, bytes32("root"), schema, 0, 0, 1, 4, 0, d)));
        reg.anchorBatchBySig(r, issuer, 0, d, s);
        assertEq(reg.getBatch(issuer, "root").count, 4, "anchored");
    }

    function test_changeOne__revoke_suspend_reinstate_and_their_refusals() public {
        _anchor(H, 0, 0, 3);
        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialNotAnchored.selector, issuer, H2));
        reg.suspend(H2, "x");
        reg.suspend(H, "s");
        assertEq(_v(H), uint256(ICredentialRegistry.Validity.Suspended), "suspended");
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialStatusUnchanged.selector, H, ICredentialRegistry.StatusAction.Suspend)
        );
        reg.suspend(H, "again");
        reg.reinstate(H, "r");
        assertTrue(reg.isValid(issuer, H), "reinstated");
        reg.revoke(H, "v");
        (bool revoked,) = reg.statusOf(issuer, 3);
        assertTrue(revoked, "revoked bit");
        assertEq(_v(H), uint256(ICredentialRegistry.Validity.Revoked), "revoked");
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.CredentialStatusUnchanged.selector, H, ICredentialRegistry.StatusAction.Reinstate)
        );
        reg.reinstate(H, "final");
        reg.changeStatus(issuer, H, ICredentialRegistry.StatusAction.Suspend, "s");
        vm.stopPrank();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialUnauthorisedCaller.selector, issuer, STRANGER));
        reg.changeStatus(issuer, H, ICredentialRegistry.StatusAction.Revoke, "x");
    }

    function test_updateStatus__changes_runs_of_entries_across_words() public {
        vm.startPrank(issuer);
        reg.anchorBatch(issuer, "root", schema, 0, 0, 1, 200);
        uint64[] memory idx = new uint64[](4);
        idx[0] = 1;
        idx[1] = 2;
        idx[2] = 130;
        idx[3] = 131;
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Suspend, idx, "s");
        (, bool suspended) = reg.statusOf(issuer, 130);
        assertTrue(suspended, "suspended");
        uint64[] memory one = new uint64[](1);
        one[0] = 2;
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Revoke, one, "v");
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Reinstate, idx, "r");
        (bool r2, bool s2) = reg.statusOf(issuer, 2);
        assertTrue(r2 && s2, "revoked entry keeps its suspension");
        (, bool s1) = reg.statusOf(issuer, 1);
        assertTrue(!s1, "reinstated");
        one[0] = 256;
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialStatusIndexNotAllocated.selector, issuer, 256));
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Revoke, one, "v");
        one[0] = 128;
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialStatusIndexNotAllocated.selector, issuer, 128));
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Revoke, one, "v");
        vm.stopPrank();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.CredentialUnauthorisedCaller.selector, issuer, STRANGER));
        reg.updateStatus(issuer, ICredentialRegistry.StatusAction.Revoke, idx, "x");
    }

    function test_validityOf__reports_each_reason() public {
        uint64 t = uint64(block.timestamp);
        _anchor(H, t + 10, t + 20, 1);
        assertEq(_v(H), uint256(ICredentialRegistry.Validity.NotYetValid), "not yet");
        vm.warp(t + 21);
        assertEq(_v(H), uint256(ICredentialRegistry.Validity.Expired), "expired");
        _anchor(H2, 0, 0, 2);
        vm.prank(issuer);
        ids.deactivate(issuer);
        assertEq(_v(H2), uint256(ICredentialRegistry.Validity.IssuerDeactivated), "deactivated");
        vm.prank(ADMIN);
        reg.removeIssuer(issuer, "r");
        assertEq(_v(H2), uint256(ICredentialRegistry.Validity.IssuerRemoved), "removed");
    }

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function test_isValidMember_and_inspect__check_proofs_ranges_and_singles() public {
        bytes32 l1 = reg.leafOf(H, 1);
        bytes32 l2 = reg.leafOf(H2, 2);
        bytes32 root = _hashPair(l1, l2);
        vm.prank(issuer);
        reg.anchorBatch(issuer, root, schema, 0, 0, 1, 2);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = l2;
        assertTrue(reg.isValidMember(issuer, root, H, 1, proof), "member");
        assertTrue(!reg.isValidMember(issuer, root, H, 2, proof), "wrong index");
        assertTrue(!reg.isValidMember(issuer, root, H, 3, proof), "past the batch");
        assertTrue(!reg.isValidMember(issuer, root, H, 0, proof), "before the batch");
        assertTrue(!reg.isValidMember(issuer, "nope", H, 1, proof), "unknown root");
        _anchor(keccak256("single"), 0, 0, 5);
        ICredentialRegistry.Query[] memory q = new ICredentialRegistry.Query[](4);
        q[0] = ICredentialRegistry.Query(issuer, keccak256("single"), bytes32(0), 0, new bytes32[](0));
        q[1] = ICredentialRegistry.Query(issuer, keccak256("none"), bytes32(0), 0, new bytes32[](0));
        q[2] = ICredentialRegistry.Query(issuer, H, root, 1, proof);
        q[3] = ICredentialRegistry.Query(issuer, H2, root, 2, proof);
        ICredentialRegistry.Report[] memory r = reg.inspect(q);
        assertEq(uint256(r[0].validity), uint256(ICredentialRegistry.Validity.Valid), "single valid");
        assertEq(r[0].statusIndex, 5, "single index");
        assertEq(uint256(r[1].validity), uint256(ICredentialRegistry.Validity.NotAnchored), "unknown single");
        assertEq(uint256(r[2].validity), uint256(ICredentialRegistry.Validity.Valid), "member valid");
        assertEq(uint256(r[3].validity), uint256(ICredentialRegistry.Validity.InvalidProof), "bad proof");
    }

    function test_isValidMember__refuses_a_word_boundary_index() public {
        vm.prank(issuer);
        reg.anchorBatch(issuer, "root", schema, 0, 0, 127, 3);
        assertTrue(!reg.isValidMember(issuer, "root", H, 128, new bytes32[](0)), "reserved entry");
    }
}
