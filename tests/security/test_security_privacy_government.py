"""Privacy audit of the government scenario: no personal data on chain — not in calldata, not in
logs. The whole story runs (KYC binding, two account links, the tax bureau's route, the refused,
authorised and revoked fetches); every transaction's calldata and every log of the blocks it made
is scanned, with the insurance demo's scanner, for the resident's name, ID-card number and both
local account ids, the tax record (each value and the canonical JSON), the route digest's salt, the
departments' account-mapping secrets and the registrar's pepper."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from tests.security.test_security_privacy import MIN_LENGTH, _blobs, _forms, _leaks
from thekey.chain import Chain
from thekey.credentials.canonical import canonical_json
from thekey.deploy import Deployment
from thekey.workflow.government import RESIDENT, TAX_RECORD, run_government


def test_privacy__the_government_scenario_puts_no_personal_data_in_calldata_or_logs(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    start = chain.block_number() + 1
    transcript = run_government(deployment, accounts)
    service = transcript.service
    assert service is not None and transcript.cases["authorised"] == "delivered"
    values: dict[str, bytes] = {
        "resident name": RESIDENT.name.encode(),
        "ID-card number": RESIDENT.document_number.encode(),
        "tax account id": RESIDENT.tax_account.encode(),
        "social-security account id": RESIDENT.social_account.encode(),
        "tax record (canonical JSON)": canonical_json(TAX_RECORD),
        "route salt": service.endpoint.records[service.parties.resident.address][1],
        "tax bureau secret": service.tax.secret,
        "social-security secret": service.social.secret,
        "registrar pepper": service.pepper,
    }
    values |= {f"tax record {k}": str(v).encode() for k, v in TAX_RECORD.items() if len(str(v)) >= MIN_LENGTH}
    needles = [(what, form, pattern) for what, value in values.items() for form, pattern in _forms(value).items()]
    blobs = _blobs(chain, start)
    assert len(blobs) > 15, "the scenario produced transactions and logs to scan"
    assert _leaks(needles, blobs) == []
    # the scan sees what is there: the resident's DID address and the office's keyed hash are on chain
    resident = bytes.fromhex(service.parties.resident.address[2:])
    key = service.social.key_of(RESIDENT.social_account)
    assert any(resident in blob for _, blob in blobs) and any(key in blob for _, blob in blobs)
