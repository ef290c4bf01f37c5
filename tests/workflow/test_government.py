"""The government scenario: one eID behind two departments' accounts, the tax bureau's route, and
the social-security office's fetch from the bureau's real HTTP endpoint — refused without the
resident's authorisation and after its revocation, delivered (use recorded on chain, data matching
the digest) with it; the endpoint refuses forged, replayed, stale, mis-addressed and unrecorded
requests on its own."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

import thekey.deploy as deploy_module
from thekey.chain import Anvil, Chain
from thekey.cli.main import main
from thekey.consent import DataIntegrityError
from thekey.consent.access import DataAccess, Delivery
from thekey.deploy import Deployment
from thekey.workflow.government import (
    DataRefused,
    DataRequest,
    GovernmentService,
    Parties,
    fetch_record,
    run_government,
)


@pytest.fixture
def service(deployment: Deployment, accounts: list[LocalAccount]) -> Iterator[GovernmentService]:
    """The scenario up to discovery (enrolled, accounts linked, route published), endpoint served."""
    gov = GovernmentService(deployment, Parties.from_accounts(accounts))
    with gov.endpoint.serve() as url:
        gov.url = url
        gov.enroll()
        gov.link_accounts()
        gov.publish_route()
        yield gov


def _found(gov: GovernmentService) -> tuple[str, str]:
    subject, holder, _ = gov.discover()
    return subject, holder


def test_government__runs_the_story_refused_delivered_refused(
    deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    transcript = run_government(deployment, accounts)
    assert transcript.cases == {
        "without authorisation": "refused",
        "authorised": "delivered",
        "after revocation": "refused",
    }
    assert [s.number for s in transcript.steps] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    labels = [t.label for s in transcript.steps for t in s.on_chain]
    assert "use 1 of the authorisation recorded" in labels and "revocation (resident-signed) relayed" in labels
    json.dumps(transcript.as_json())


def test_government__the_office_finds_the_resident_and_the_holder_through_keyed_hashes(
    service: GovernmentService,
) -> None:
    subject, holder = _found(service)
    assert subject == service.parties.resident.address and holder == service.tax.address
    # the same local id under another department's secret maps to nothing
    assert (
        service.routes.account_subject(service.social.address, service.tax.key_of(service.resident.social_account))
        is None
    )


def test_government__without_authorisation_the_fetch_is_refused_and_nothing_is_recorded(
    service: GovernmentService,
) -> None:
    subject, holder = _found(service)
    data, report = service.fetch(subject, holder, 4, "no authorisation")
    assert data is None and not report.ok and report.on_chain == []
    assert "no live consent" in report.summary and "the subject has not authorised this requester" in report.summary


def test_government__authorised_fetch_records_the_use_and_matches_the_digest(service: GovernmentService) -> None:
    subject, holder = _found(service)
    service.authorise(subject)
    data, report = service.fetch(subject, holder, 6, "authorised")
    assert data == service.tax.records[service.resident.tax_account]
    cid = service.consents.current_consent(subject, service.social.address, service.scope, service.purpose)
    assert cid is not None
    (use,) = service.consents.audit_trail(cid)
    assert use.grantee == service.social.address and report.on_chain[0].tx_hash == use.tx_hash


def test_government__after_revocation_the_fetch_is_refused_by_gate_and_endpoint(service: GovernmentService) -> None:
    subject, holder = _found(service)
    service.authorise(subject)
    assert service.fetch(subject, holder, 6, "authorised")[0] is not None
    service.revoke(subject)
    data, report = service.fetch(subject, holder, 8, "revoked")
    assert data is None and "the subject revoked this authorisation" in report.summary


def test_endpoint__serves_one_delivery_per_recorded_use_and_refuses_forged_or_replayed_requests(
    service: GovernmentService, accounts: list[LocalAccount]
) -> None:
    subject, _ = _found(service)
    service.authorise(subject)
    cid = service.consents.current_consent(subject, service.social.address, service.scope, service.purpose)
    assert cid is not None
    office, routes, url = service.social.account, service.routes, service.url
    request = DataRequest(service.tax.address, office.address, subject, service.scope, service.purpose, cid,
                          int(time.time()), b"\x01" * 32)  # fmt: skip

    def refused(req: DataRequest, signer: LocalAccount = office) -> str:
        with pytest.raises(DataRefused) as exc:
            fetch_record(url, routes, signer, req)
        return exc.value.detail

    assert "no use of the authorisation is recorded on chain" in refused(request)  # authorised, but no use on record
    service.consents.record_use(office, cid, b"\x02" * 32)
    assert refused(request) == "this request was already answered"  # the nonce of a refused request is spent too
    fresh = replace(request, nonce=b"\x03" * 32)
    assert fetch_record(url, routes, office, fresh).data == service.tax.records[service.resident.tax_account]
    assert "no use of the authorisation is recorded" in refused(replace(request, nonce=b"\x04" * 32))  # one per use
    stranger = accounts[19]
    assert "does not act for the requester" in refused(replace(request, nonce=b"\x05" * 32), stranger)
    other_org = replace(request, requester=stranger.address, nonce=b"\x06" * 32)  # names the office's consent
    assert "is not the subject's authorisation of this requester" in refused(other_org, stranger)
    assert "within the last two minutes" in refused(
        replace(request, issued_at=int(time.time()) - 600, nonce=b"\x07" * 32)
    )
    with pytest.raises(DataRefused) as exc:
        fetch_record(url, routes, office, replace(request, holder=stranger.address, nonce=b"\x08" * 32))
    assert exc.value.status == 400 and "another data holder" in exc.value.detail


def test_government__data_that_does_not_match_the_digest_is_refused_by_the_office(service: GovernmentService) -> None:
    subject, holder = _found(service)
    service.authorise(subject)
    record, salt = service.endpoint.records[subject]
    service.endpoint.records[subject] = (record.replace(b"settled", b"arrears"), salt)
    access = DataAccess(service.consents, service.social.account, routes=service.routes)
    cid = access.live_consent(subject, service.scope, service.purpose)

    def fetch() -> Delivery:
        return fetch_record(service.url, service.routes, service.social.account, service._request(subject, cid))

    with pytest.raises(DataIntegrityError, match="does not match the digest"):
        access.obtain(subject, service.scope, service.purpose, fetch, holder=holder)


def test_demo_cli__scenario_government_prints_each_step_on_and_off_chain(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, anvil: Anvil, chain: Chain
) -> None:
    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda chain, f=None: real_path(chain, f or tmp_path))
    code = main(["demo", "--scenario", "government", "--rpc-url", anvil.url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Step 4 — Fetch without authorisation: refused" in out and "on chain" in out and "off chain" in out
    assert out.rstrip().endswith("government scenario finished: every fetch ended as the story says")
    code = main(["demo", "--scenario", "nope", "--rpc-url", anvil.url])
    assert code == 2 and "unknown --scenario 'nope'" in capsys.readouterr().err


def test_endpoint__refuses_an_authorisation_past_its_validity_even_with_a_recorded_use(
    service: GovernmentService,
) -> None:
    subject, _ = _found(service)
    service.authorise(subject)
    cid = service.consents.current_consent(subject, service.social.address, service.scope, service.purpose)
    assert cid is not None
    service.consents.record_use(service.social.account, cid, b"\x02" * 32)
    service.chain.set_next_block_timestamp(service.consents.get(cid).valid_until + 1)
    service.chain.mine()
    request = DataRequest(service.tax.address, service.social.address, subject, service.scope, service.purpose, cid,
                          int(time.time()), b"\x09" * 32)  # fmt: skip
    with pytest.raises(DataRefused, match="outside its validity window"):
        fetch_record(service.url, service.routes, service.social.account, request)
