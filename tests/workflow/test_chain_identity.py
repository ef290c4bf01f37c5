"""Chains are told apart by chain id AND genesis block hash: two local nodes that both say 31337
keep separate manifests and audit indexes, and the demo audits its own run on a chain with history
(issue 13, scenario 6)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.deploy import Deployment, deploy_suite, manifest_path
from thekey.errors import ConfigError
from thekey.events import EventIndex
from thekey.workflow.demo import run_demo
from thekey.workflow.report import build_report


@pytest.fixture(scope="module")
def two_chains(artifacts: Artifacts) -> Iterator[tuple[Chain, Chain]]:
    """Two Anvils with chain id 31337 whose genesis blocks differ (another genesis time)."""
    with Anvil(accounts=10) as a, Anvil(accounts=10, extra_args=["--timestamp", "1700000000"]) as b:
        yield (Chain.connect(a.url, artifacts=artifacts, receipt_timeout=30),
               Chain.connect(b.url, artifacts=artifacts, receipt_timeout=30))  # fmt: skip


def test_two_chains_with_one_id__get_two_manifests_neither_overwriting_the_other(
    two_chains: tuple[Chain, Chain], tmp_path: Path
) -> None:
    a, b = two_chains
    assert a.chain_id == b.chain_id == 31337 and a.genesis_hash != b.genesis_hash
    deployer = dev_accounts(1)[0]
    on_a = deploy_suite(a, deployer, folder=tmp_path)
    first = manifest_path(a, tmp_path).read_text()
    on_b = deploy_suite(b, deployer, folder=tmp_path)
    assert manifest_path(a, tmp_path) != manifest_path(b, tmp_path)
    assert manifest_path(a, tmp_path).read_text() == first  # untouched by the second chain
    assert json.loads(first)["genesisHash"] == a.genesis_hash
    assert Deployment.load(a, tmp_path).manifest == on_a.manifest
    assert Deployment.load(b, tmp_path).manifest == on_b.manifest


def test_a_chain_without_its_own_manifest__is_told_the_others_belong_to_other_chains(
    two_chains: tuple[Chain, Chain], tmp_path: Path
) -> None:
    a, b = two_chains
    deploy_suite(a, dev_accounts(1)[0], folder=tmp_path)
    with pytest.raises(ConfigError, match="belong to other chains with the same id; run `thekey deploy`"):
        Deployment.load(b, tmp_path)


def test_a_manifest_copied_to_another_chain__is_refused(two_chains: tuple[Chain, Chain], tmp_path: Path) -> None:
    a, b = two_chains
    deploy_suite(a, dev_accounts(1)[0], folder=tmp_path)
    manifest_path(b, tmp_path).write_text(manifest_path(a, tmp_path).read_text())
    with pytest.raises(ConfigError, match="is for another chain"):
        Deployment.load(b, tmp_path)


def test_two_chains_indexed_one_after_the_other__give_two_separate_correct_reports(
    two_chains: tuple[Chain, Chain], tmp_path: Path
) -> None:
    a, b = two_chains
    accounts = dev_accounts(10)
    on_a = deploy_suite(a, accounts[0], folder=tmp_path)
    on_b = deploy_suite(b, accounts[0], folder=tmp_path)
    run_demo(on_a, accounts)
    index_a = EventIndex(on_a, tmp_path / f"audit-{a.chain_key}.sqlite")
    index_a.sync()
    index_b = EventIndex(on_b, tmp_path / f"audit-{b.chain_key}.sqlite")
    index_b.sync()
    report_a, report_b = build_report(index_a), build_report(index_b)
    assert (report_a.requests, report_a.outcomes["settled"]) == (2, 1)
    assert (report_b.requests, report_b.outcomes["settled"]) == (0, 0)
    assert report_a.as_json()["payments"] != report_b.as_json()["payments"]
    with pytest.raises(ConfigError, match="indexes another deployment"):
        EventIndex(on_b, tmp_path / f"audit-{a.chain_key}.sqlite")


def test_an_index_on_a_chain_that_lost_more_blocks_than_its_window__refuses_to_continue(
    chain: Chain, deployment: Deployment, tmp_path: Path
) -> None:
    # a shallower reorganisation is followed (tests/events/test_events_reorg.py)
    snapshot = chain.snapshot()
    for _ in range(5):
        chain.mine()
    index = EventIndex(deployment, tmp_path / "audit.sqlite", window=2)
    index.sync()
    chain.revert_to(snapshot)
    chain.increase_time(5)
    for _ in range(6):
        chain.mine()
    with pytest.raises(ConfigError, match="a reorganisation deeper than 2 blocks, or another chain"):
        EventIndex(deployment, tmp_path / "audit.sqlite", window=2).sync()


def test_the_demo_twice_on_one_node__passes_both_times_auditing_its_own_run(
    artifacts: Artifacts, tmp_path: Path
) -> None:
    with Anvil(accounts=10) as node:
        chain = Chain.connect(node.url, artifacts=artifacts, receipt_timeout=30)
        accounts = dev_accounts(10)
        for _ in range(2):
            deployment = deploy_suite(chain, accounts[0], folder=tmp_path)
            transcript = run_demo(deployment, accounts)
            assert transcript.report is not None and transcript.report.requests == 2
