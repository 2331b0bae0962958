"""The load harness's background HTTP load: its spec, and a short run with it."""

from __future__ import annotations

import pytest

from evals.load import LoadConfig, format_results, run_load
from evals.load_background import describe, parse_background


def test_background_spec_is_parsed_and_bad_ones_are_refused() -> None:
    rates = parse_background("signups=4/s, lists=10/s")
    assert rates == {"signups": 4.0, "lists": 10.0}
    assert describe(rates) == "signups=4/s,lists=10/s"
    for bad in ("signups=4", "hashes=4/s", "signups=0/s", "signups=x/s"):
        with pytest.raises(ValueError, match="KIND=RATE/s"):
            parse_background(bad)


@pytest.mark.timeout(120)
async def test_a_run_with_background_signups_counts_them() -> None:
    cfg = LoadConfig(peers=2, seconds=3.0, server="ours", server_cpu=None, settle_s=0.5,
                     warmup=False, background={"signups": 4.0, "logins": 2.0})
    result = await run_load(cfg)
    assert result.failures == [] and result.connected == 2
    assert result.background == "signups=4/s,logins=2/s"
    assert result.background_ok >= 10 and result.background_failed == 0
    assert result.background_p99_ms is not None and result.background_p99_ms > 0
    assert "ours + signups=4/s,logins=2/s (2 peers)" in format_results([result])
