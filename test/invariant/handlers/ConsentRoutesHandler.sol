// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerBase} from "../../utils/HandlerBase.sol";
import {EIDRegistry} from "../../../contracts/identity/EIDRegistry.sol";
import {ConsentRegistry} from "../../../contracts/consent/ConsentRegistry.sol";
import {DataRoutes} from "../../../contracts/consent/DataRoutes.sol";
import {IConsentRegistry} from "../../../contracts/interfaces/IConsentRegistry.sol";
import {IDataRoutes} from "../../../contracts/interfaces/IDataRoutes.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";

/// @notice Drives ConsentRegistry and DataRoutes beside a ghost model of every tuple's current
/// consent (serial, window, maxUses, uses, revocation) and every route book. Two subjects, two
/// admitted organisations and a plain grantee; the attacker is organisation 1 (one ordinary
/// role) acting on organisation 0's routes and consents, and on the subjects' records.
contract ConsentRoutesHandler is HandlerBase {
    bytes32 public constant FOREIGN_ACT = "acted on another party's record";
    bytes32 public constant USE_AFTER_END = "consent used when not live";
    bytes32 public constant REFUSED = "legitimate call refused";
    bytes32 public constant OFF_MODEL = "outcome off the model";

    bytes32 public constant MARKETING = "marketing";

    EIDRegistry public immutable eid;
    ConsentRegistry public immutable consents;
    DataRoutes public immutable routes;
    bytes32 public immutable ROUTE;

    address[2] public subjects;
    address[3] public grantees; // organisations 0 and 1, then a plain grantee
    bytes32[2] public categories = [bytes32("email"), bytes32("address")];
    mapping(address subject => bool) public deactivated;

    struct Model {
        uint32 serial;
        uint64 validFrom;
        uint64 validUntil;
        uint32 maxUses;
        uint32 uses; // recordUse count (non-route purposes)
        bool revoked;
    }

    struct BookModel {
        uint32 serial;
        uint32 uses;
        bool route; // a digest is on the book
    }

    mapping(bytes32 tupleKey => Model) internal _model;
    mapping(bytes32 tupleKey => BookModel) internal _book;

    /// @dev The tuple the last action touched (checked after every call; all tuples at each run's end).
    IConsentRegistry.ConsentKey internal _last;

    function lastKey() external view returns (IConsentRegistry.ConsentKey memory) {
        return _last;
    }

    constructor() {
        eid = new EIDRegistry();
        consents = new ConsentRegistry(IERC1056(address(eid)));
        routes = new DataRoutes(address(this), IERC1056(address(eid)), consents);
        ROUTE = routes.ROUTE_PURPOSE();
        for (uint256 i = 0; i < 2; ++i) subjects[i] = vm.addr(0x2500 + i);
        for (uint256 i = 0; i < 3; ++i) grantees[i] = vm.addr(0x2600 + i);
        routes.grantRole(routes.ORGANISATION_ROLE(), grantees[0]);
        routes.grantRole(routes.ORGANISATION_ROLE(), grantees[1]);
    }

    // ------------------------------------------------------------------ helpers

    function key(uint256 s, uint256 g, uint256 c, bool route) public view returns (IConsentRegistry.ConsentKey memory) {
        return IConsentRegistry.ConsentKey(subjects[s % 2], grantees[g % 3], categories[c % 2], route ? ROUTE : MARKETING);
    }

    function tupleKey(IConsentRegistry.ConsentKey memory k) public pure returns (bytes32) {
        return keccak256(abi.encode(k.subject, k.grantee, k.scope, k.purpose));
    }

    function model(bytes32 k) external view returns (Model memory) {
        return _model[k];
    }

    function book(bytes32 k) external view returns (BookModel memory) {
        return _book[k];
    }

    /// @notice The modelled liveness of the tuple's current consent, counting route uses for route tuples.
    function live(IConsentRegistry.ConsentKey memory k) public view returns (bool) {
        bytes32 t = tupleKey(k);
        Model memory m = _model[t];
        if (m.serial == 0 || m.revoked || deactivated[k.subject]) return false;
        if (now_ < m.validFrom || (m.validUntil != 0 && now_ > m.validUntil)) return false;
        return m.maxUses == 0 || m.uses < m.maxUses;
    }

    /// @dev A route tuple's consent with its route uses: live and not exhausted on the book.
    function _routeUsable(IConsentRegistry.ConsentKey memory k) private view returns (bool) {
        bytes32 t = tupleKey(k);
        if (!live(k)) return false;
        Model memory m = _model[t];
        uint32 used = _book[t].serial == m.serial ? _book[t].uses : 0;
        return m.maxUses == 0 || used < m.maxUses;
    }

    function _judge(bool succeeded, bool expected, bool foreign, string memory what) private {
        if (succeeded && foreign) _breach(FOREIGN_ACT, what);
        else if (succeeded && !expected) _breach(OFF_MODEL, what);
        else if (!succeeded && expected) _breach(REFUSED, what);
    }

    // ------------------------------------------------------------------ actions

    /// @notice A subject grants (or, a quarter of the time, the attacker organisation tries to grant for it).
    function grant(uint256 s, uint256 g, uint256 c, bool route, uint8 maxUses, uint256 windowSeed, uint8 actorSeed) external {
        IConsentRegistry.ConsentKey memory k = key(s, g, c, route);
        _last = k;
        bool foreign = actorSeed % 4 == 0;
        address actor = foreign ? grantees[1] : k.subject;
        IConsentRegistry.GrantRequest memory r;
        r.subject = k.subject;
        r.grantee = k.grantee;
        r.scope = k.scope;
        r.purpose = k.purpose;
        r.maxUses = maxUses % 5; // 0 = unlimited, else 1-4: exhaustion is frequent
        if (windowSeed % 3 == 0) r.validFrom = uint64(now_ + _bound(windowSeed >> 8, 1, 2 days));
        if (windowSeed % 2 == 0) r.validUntil = uint64((r.validFrom == 0 ? now_ : r.validFrom) + _bound(windowSeed >> 40, 0, 5 days));
        bool expected = !foreign && !deactivated[k.subject];
        vm.prank(actor);
        try consents.grant(r) {
            _judge(true, expected, foreign, "grant");
            Model storage m = _model[tupleKey(k)];
            m.serial += 1;
            m.validFrom = r.validFrom == 0 ? uint64(now_) : r.validFrom;
            m.validUntil = r.validUntil;
            m.maxUses = r.maxUses;
            m.uses = 0;
            m.revoked = false;
        } catch {
            _judge(false, expected, foreign, "grant");
        }
    }

    /// @notice The subject revokes the tuple's current consent (or the attacker tries to).
    function revoke(uint256 s, uint256 g, uint256 c, bool route, uint8 actorSeed) external {
        IConsentRegistry.ConsentKey memory k = key(s, g, c, route);
        _last = k;
        bytes32 t = tupleKey(k);
        Model storage m = _model[t];
        if (m.serial == 0) return;
        bool foreign = actorSeed % 3 == 0;
        address actor = foreign ? grantees[1] : k.subject;
        bytes32 id = consents.consentId(k, m.serial);
        bool expected = !foreign && !m.revoked && !deactivated[k.subject];
        vm.prank(actor);
        try consents.revoke(k, id) {
            _judge(true, expected, foreign, "revoke");
            m.revoked = true;
        } catch {
            _judge(false, expected, foreign, "revoke");
        }
    }

    /// @notice The grantee records a use of a non-route consent (or the attacker records one on another grantee's consent).
    function recordUse(uint256 s, uint256 g, uint256 c, uint8 actorSeed) external {
        IConsentRegistry.ConsentKey memory k = key(s, g, c, false);
        _last = k;
        Model storage m = _model[tupleKey(k)];
        if (m.serial == 0) return;
        bool foreign = actorSeed % 3 == 0 && k.grantee != grantees[1];
        address actor = foreign ? grantees[1] : k.grantee;
        bool expected = !foreign && live(k);
        bytes32 id = consents.consentId(k, m.serial);
        vm.prank(actor);
        try consents.recordUse(k, id, "access") {
            if (!live(k)) _breach(USE_AFTER_END, "recordUse of a revoked, expired, exhausted or pending consent");
            _judge(true, expected, foreign, "recordUse");
            m.uses += 1;
        } catch {
            _judge(false, expected, foreign, "recordUse");
        }
    }

    /// @notice An organisation publishes a route; a third of the time the attacker publishes into organisation 0's name.
    function publish(uint256 s, uint256 o, uint256 c, bytes32 digest, uint8 actorSeed) external {
        if (digest == bytes32(0)) digest = "digest";
        bool foreign = actorSeed % 3 == 0;
        uint256 org = foreign ? 0 : o % 2;
        IConsentRegistry.ConsentKey memory k = key(s, org, c, true);
        _last = k;
        address actor = foreign ? grantees[1] : k.grantee;
        bool usable = _routeUsable(k);
        bool expected = !foreign && usable;
        vm.prank(actor);
        try routes.publish(IDataRoutes.RouteRequest(k.grantee, k.subject, k.scope, digest, uint64(now_))) {
            if (!usable) _breach(USE_AFTER_END, "route published without a live, unexhausted consent");
            _judge(true, expected, foreign, "publish");
            bytes32 t = tupleKey(k);
            BookModel storage b = _book[t];
            uint32 serial = _model[t].serial;
            b.uses = b.serial == serial ? b.uses + 1 : 1;
            b.serial = serial;
            b.route = true;
        } catch {
            _judge(false, expected, foreign, "publish");
        }
    }

    /// @notice A party withdraws a route; the other organisation (not a party) tries as well.
    function withdrawRoute(uint256 s, uint256 c, bool byAttacker) external {
        IConsentRegistry.ConsentKey memory k = key(s, 0, c, true);
        _last = k;
        BookModel storage b = _book[tupleKey(k)];
        address actor = byAttacker ? grantees[1] : k.subject;
        bool expected = !byAttacker && b.route && !deactivated[k.subject];
        vm.prank(actor);
        try routes.withdrawRoute(k.subject, k.grantee, k.scope) {
            _judge(true, expected, byAttacker, "withdrawRoute");
            b.route = false;
        } catch {
            _judge(false, expected, byAttacker, "withdrawRoute");
        }
    }

    /// @notice Subject 1 deactivates its DID (final: nothing of it is live any more).
    function deactivate() external {
        address s = subjects[1];
        if (deactivated[s]) return;
        vm.prank(s);
        eid.deactivate(s);
        deactivated[s] = true;
    }

    function warp(uint256 seed) external {
        _warp(seed, 1 days);
    }
}
