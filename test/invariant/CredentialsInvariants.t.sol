// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {InvariantTest, IBreaches} from "../utils/Test.sol";
import {CredentialsHandler} from "./handlers/CredentialsHandler.sol";
import {ICredentialRegistry} from "../../contracts/interfaces/ICredentialRegistry.sol";

/// @notice Credentials: no anchor, status change or schema effect on another issuer's records;
/// write-once anchors; status transitions as allowed; `isValid` agrees with the ghost model; the
/// status list's end is a whole word, only grows, and nothing lies at or past it.
contract CredentialsInvariants is InvariantTest {
    CredentialsHandler internal h;

    function setUp() public {
        h = new CredentialsHandler();
        targetContract(address(h));
        bytes4[] memory actions = new bytes4[](10);
        actions[0] = h.registerSchema.selector;
        actions[1] = h.deprecateSchema.selector;
        actions[2] = h.anchor.selector;
        actions[3] = h.anchorBatch.selector;
        actions[4] = h.changeStatus.selector;
        actions[5] = h.updateStatus.selector;
        actions[6] = h.rotateKey.selector;
        actions[7] = h.rawKey.selector;
        actions[8] = h.governIssuer.selector;
        actions[9] = h.warp.selector;
        targetSelectors(address(h), actions);
    }

    function invariant_credentials() public view {
        IBreaches b = IBreaches(address(h));
        assertNoBreach(b, h.FOREIGN_ACT());
        assertNoBreach(b, h.RAW_KEY());
        assertNoBreach(b, h.SCHEMA_TYPE());
        assertNoBreach(b, h.WRITE_ONCE());
        assertNoBreach(b, h.REFUSED());
        assertNoBreach(b, h.OFF_MODEL());
        _checkAnchors();
        _checkStatusLists();
    }

    /// Every anchor reads back exactly as written, in its issuer's namespace; statuses and
    /// validity are the modelled ones.
    function _checkAnchors() internal view {
        ICredentialRegistry r = h.registry();
        for (uint256 i = 0; i < h.anchorCount(); ++i) {
            CredentialsHandler.AnchorModel memory a = h.anchorAt(i);
            ICredentialRegistry.Anchor memory got = a.count == 0 ? r.getAnchor(a.issuer, a.hash) : r.getBatch(a.issuer, a.hash);
            assertEq(got.issuer, a.issuer, "namespace: an anchor reads back under another issuer");
            assertEq(got.anchoredAt, a.anchoredAt, "write-once: anchoredAt changed");
            assertEq(got.schemaId, a.schemaId, "write-once: schema changed");
            assertEq(got.statusIndex, a.statusIndex, "write-once: status index changed");
            assertEq(got.validUntil, a.validUntil, "write-once: validUntil changed");
            assertEq(got.count, a.count, "write-once: count changed");
            (bool revoked, bool suspended) = r.statusOf(a.issuer, a.statusIndex);
            assertTrue(revoked == h.ghostRevoked(a.issuer, a.statusIndex), "status: revocation bit differs from the model");
            assertTrue(suspended == h.ghostSuspendedEntry(a.issuer, a.statusIndex), "status: suspension bit differs from the model");
            if (a.count == 0) {
                assertTrue(r.isValid(a.issuer, a.hash) == h.modelValid(a), "isValid: differs from the ghost model");
            }
        }
    }

    /// Each issuer's list end is the modelled multiple of 128 and the word at it is untouched.
    function _checkStatusLists() internal view {
        ICredentialRegistry r = h.registry();
        for (uint256 i = 0; i < h.ISSUERS(); ++i) {
            address issuer = h.issuers(i);
            uint256 end = h.registry().getIssuer(issuer).statusWatermark;
            assertEq(end, h.ghostWatermark(issuer), "status list: end differs from the model");
            assertEq(end % 128, 0, "status list: end is not a whole word");
            assertEq(r.statusWords(issuer, end / 128, 1)[0], 0, "status list: a word past the end was written");
        }
    }
}
