"""server/patches.py: the library patches go in once, idempotently, only on tested versions;
an unknown version stops `python -m server` with one clear line."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import aioice.ice
import pytest
from aiortc import rtcrtpreceiver
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from media import passthrough
from server import patches
from server.config import Settings, load_settings
from server.http.app import create_app
from server.live import ice
from tests.http.test_main import ROOT, _env

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90_000, payloadType=97)


def _settings(tmp_path: Path, loopback: bool) -> Settings:
    return load_settings(data_dir=tmp_path / "data", ice_loopback_only=loopback)


def _pretend(monkeypatch: pytest.MonkeyPatch, package: str, version: str | None) -> None:
    real = patches.installed_version
    monkeypatch.setattr(patches, "installed_version",
                        lambda name: version if name == package else real(name))


def test_the_installed_versions_are_the_tested_ones() -> None:
    patches.check_versions()


def test_the_tested_ranges_are_the_pins_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {(r := Requirement(line)).name: r.specifier for line in project["dependencies"]}
    assert {name: pins.get(name) for name in patches.TESTED} == {
        name: SpecifierSet(tested) for name, tested in patches.TESTED.items()
    }


@pytest.mark.parametrize("version", ["1.17.0", "1.15.2", "2.0.0", "not-a-version"])
def test_an_unknown_aiortc_version_is_refused_and_nothing_is_patched(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, version: str
) -> None:
    _pretend(monkeypatch, "aiortc", version)
    with pytest.raises(patches.UntestedVersion) as caught:
        patches.install(_settings(tmp_path, loopback=True))
    message = str(caught.value)
    assert f"aiortc {version} is installed" in message
    assert f"aiortc{patches.TESTED['aiortc']}" in message and "\n" not in message
    assert not patches.installed() and not ice.loopback_only_enabled()
    with pytest.raises(patches.UntestedVersion):
        create_app(_settings(tmp_path, loopback=True))


def test_a_tested_patch_release_and_a_missing_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _pretend(monkeypatch, "aiortc", "1.16.9")
    patches.check_versions()
    _pretend(monkeypatch, "google-adk", None)
    with pytest.raises(patches.UntestedVersion, match=r"google-adk is not installed"):
        patches.check_versions()


def test_install_is_idempotent_follows_the_settings_and_uninstalls(tmp_path: Path) -> None:
    original_host_addresses = aioice.ice.get_host_addresses
    patches.install(_settings(tmp_path, loopback=True))
    patches.install(_settings(tmp_path, loopback=True))
    assert patches.installed() and ice.loopback_only_enabled()
    assert isinstance(rtcrtpreceiver.get_decoder(VP8), passthrough.PassthroughDecoder)
    patches.install(_settings(tmp_path, loopback=False))
    assert patches.installed() and not ice.loopback_only_enabled()
    patches.install(_settings(tmp_path, loopback=True))
    patches.uninstall()
    assert not patches.installed() and not ice.loopback_only_enabled()
    assert aioice.ice.get_host_addresses is original_host_addresses


def test_python_m_server_refuses_an_unknown_aiortc_in_one_line(tmp_path: Path) -> None:
    """A real start: a distribution record for aiortc 9.0.0 ahead of the installed one on the
    path is what `importlib.metadata` finds, as after an upgrade."""
    fake = tmp_path / "site"
    record = fake / "aiortc-9.0.0.dist-info"
    record.mkdir(parents=True)
    (record / "METADATA").write_text("Metadata-Version: 2.1\nName: aiortc\nVersion: 9.0.0\n")
    proc = subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(tmp_path / "data")],
        env=_env(PYTHONPATH=str(fake)), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"dependency error: aiortc 9.0.0 is installed, but this server's patches are tested "
        f"with aiortc{patches.TESTED['aiortc']} only (see server/patches.py)"
    ]
    assert proc.stdout == ""
