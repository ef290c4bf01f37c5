"""Where the package looks for the checkout and keeps its files: the checkout when there is one,
else the per-user data home (``$THEKEY_HOME``, ``$XDG_DATA_HOME/thekey``, ``~/.local/share/thekey``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from thekey import config
from thekey.build import load_artifacts
from thekey.build.artifacts import BUNDLE_PATH
from thekey.errors import ConfigError


@pytest.fixture
def fresh_root_lookup() -> Iterator[None]:
    config.find_project_root.cache_clear()
    yield
    config.find_project_root.cache_clear()


def test_data_home__thekey_home_then_xdg_then_local_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("THEKEY_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert config.data_home() == tmp_path / "home" / ".local" / "share" / "thekey"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert config.data_home() == tmp_path / "xdg" / "thekey"
    monkeypatch.setenv("THEKEY_HOME", str(tmp_path / "th"))
    assert config.data_home() == tmp_path / "th"


def test_locations__the_checkout_keeps_its_folders_unless_thekey_home_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THEKEY_HOME", raising=False)
    root = config.project_root()
    assert (config.deployments_dir(), config.state_dir()) == (root / "deployments", root / ".thekey")
    monkeypatch.setenv("THEKEY_HOME", str(tmp_path))
    assert (config.deployments_dir(), config.state_dir()) == (tmp_path / "deployments", tmp_path)


def test_find_project_root__none_outside_a_checkout_and_the_bundle_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_root_lookup: None
) -> None:
    monkeypatch.setenv("THEKEY_ROOT", str(tmp_path))  # names a folder that is no checkout
    monkeypatch.delenv("THEKEY_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert config.find_project_root() is None
    with pytest.raises(ConfigError, match="needs the TheKey source checkout"):
        config.project_root()
    assert load_artifacts().folder == BUNDLE_PATH.parent
    assert config.deployments_dir() == tmp_path / "xdg" / "thekey" / "deployments"
