// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {InvariantTest, IBreaches} from "../utils/Test.sol";
import {ConsentRoutesHandler} from "./handlers/ConsentRoutesHandler.sol";
import {IConsentRegistry} from "../../contracts/interfaces/IConsentRegistry.sol";

/// @notice Consent and routes: no use after revocation, expiry or exhaustion; uses never exceed
/// maxUses (on the consent registry's book and on the routes' book); routes never outlive their
/// consent; nobody acts on another party's consent or route; `isAuthorized` as modelled.
contract ConsentRoutesInvariants is InvariantTest {
    ConsentRoutesHandler internal h;

    function setUp() public {
        h = new ConsentRoutesHandler();
        targetContract(address(h));
        bytes4[] memory actions = new bytes4[](7);
        actions[0] = h.grant.selector;
        actions[1] = h.revoke.selector;
        actions[2] = h.recordUse.selector;
        actions[3] = h.publish.selector;
        actions[4] = h.withdrawRoute.selector;
        actions[5] = h.deactivate.selector;
        actions[6] = h.warp.selector;
        targetSelectors(address(h), actions);
    }

    function invariant_consentAndRoutes() public view {
        IBreaches b = IBreaches(address(h));
        assertNoBreach(b, h.FOREIGN_ACT());
        assertNoBreach(b, h.USE_AFTER_END());
        assertNoBreach(b, h.REFUSED());
        assertNoBreach(b, h.OFF_MODEL());
        IConsentRegistry.ConsentKey memory k = h.lastKey();
        if (k.subject == address(0)) return;
        _checkTuple(k);
        if (k.purpose == h.ROUTE() && k.grantee != h.grantees(2)) _checkRoute(k);
    }

    /// Every tuple and route book, once per run (the invariant checks the one each call touched).
    function afterInvariant() public view {
        for (uint256 s = 0; s < 2; ++s) {
            for (uint256 g = 0; g < 3; ++g) {
                for (uint256 c = 0; c < 2; ++c) {
                    _checkTuple(h.key(s, g, c, false));
                    _checkTuple(h.key(s, g, c, true));
                    if (g < 2) _checkRoute(h.key(s, g, c, true));
                }
            }
        }
    }

    function _checkTuple(IConsentRegistry.ConsentKey memory k) internal view {
        bytes32 t = h.tupleKey(k);
        ConsentRoutesHandler.Model memory m = h.model(t);
        if (m.serial == 0) return;
        IConsentRegistry.Consent memory c = h.consents().getConsent(k);
        assertEq(c.serial, m.serial, "consent: serial differs from the model");
        assertEq(c.uses, m.uses, "consent: uses differ from the model");
        if (c.maxUses != 0) assertLe(c.uses, c.maxUses, "consent: uses exceed maxUses");
        assertTrue((c.revocationTime != 0) == m.revoked, "consent: revocation differs from the model");
        if (k.purpose != h.ROUTE()) {
            bool authorized = h.consents().isAuthorized(k.subject, k.grantee, k.scope, k.purpose);
            assertTrue(authorized == h.live(k), "consent: isAuthorized differs from the model");
        }
    }

    function _checkRoute(IConsentRegistry.ConsentKey memory k) internal view {
        bytes32 t = h.tupleKey(k);
        ConsentRoutesHandler.Model memory m = h.model(t);
        (bytes32 consentId, uint32 uses) = h.routes().consentUses(k.subject, k.grantee, k.scope);
        ConsentRoutesHandler.BookModel memory b = h.book(t);
        assertEq(uses, b.uses, "routes: book uses differ from the model");
        if (consentId != bytes32(0) && consentId == h.consents().consentId(k, m.serial) && m.maxUses != 0) {
            assertLe(uses, m.maxUses, "routes: uses of the current consent exceed maxUses");
        }
        bool routeLive = h.routes().isRouteLive(k.subject, k.grantee, k.scope);
        if (routeLive) {
            assertTrue(b.route && b.serial == m.serial && h.live(k), "routes: a route outlived its consent");
        }
    }
}
