"""The load harness, small and fast: 2 peers × 3 s against our server and the baseline, each
started by the harness as it does for real runs; then the histogram maths it relies on."""

from __future__ import annotations

import pytest

from evals.load import LoadConfig, format_results, run_load
from evals.load_measure import Histogram, parse_metrics, percentile

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("server", ["ours", "baseline"])
async def test_harness_runs_peers_against_the_server_and_reads_its_figures(server: str) -> None:
    cfg = LoadConfig(peers=2, seconds=3.0, video=True, server=server, server_cpu=None,
                     settle_s=0.5, warmup=False)
    result = await run_load(cfg)

    assert result.failures == []
    assert result.connected == 2 and result.heard_back == 2
    assert result.connect_p50_ms is not None and result.connect_p50_ms > 0
    # The server's /metrics histograms were read and differenced over the window.
    assert result.inbound_frames > 0 and result.outbound_frames > 0 and result.pcm_chunks > 0
    assert result.gap_p50_ms is not None and result.gap_p99_ms is not None
    assert result.lateness_p99_ms is not None and result.outbound_p99_ms is not None
    assert result.pcm_p99_ms is not None
    # The agent's audio came back, and /proc was read for the server process.
    assert result.back_pps > 0
    assert result.cpu_pct is not None and result.cpu_pct > 0
    assert result.rss_idle_mb is not None and result.rss_idle_mb > 10
    assert result.rss_per_session_mb is not None
    table = format_results([result])
    assert f"{server} (2 peers, video)" in table and "inbound lateness p99" in table


METRICS = """\
# HELP ia_outbound_frame_interval_seconds x
# TYPE ia_outbound_frame_interval_seconds histogram
ia_outbound_frame_interval_seconds_bucket{le="0.01"} 0.0
ia_outbound_frame_interval_seconds_bucket{le="0.02"} 50.0
ia_outbound_frame_interval_seconds_bucket{le="0.03"} 99.0
ia_outbound_frame_interval_seconds_bucket{le="+Inf"} 100.0
ia_outbound_frame_interval_seconds_count 100.0
ia_outbound_frame_interval_seconds_sum 2.1
# HELP ia_live_sessions x
# TYPE ia_live_sessions gauge
ia_live_sessions 3.0
"""


def test_histograms_are_parsed_differenced_and_interpolated() -> None:
    scrape = parse_metrics(METRICS)
    assert scrape.gauges["ia_live_sessions"] == 3.0
    hist = scrape.histogram("ia_outbound_frame_interval_seconds")
    assert hist.bounds[-1] == float("inf") and hist.total == 100
    assert hist.quantile(0.5) == pytest.approx(0.02)
    assert hist.quantile(0.25) == pytest.approx(0.015)  # halfway through (0.01, 0.02]
    assert hist.quantile(0.995) == pytest.approx(0.03)  # in +Inf: the highest finite bound
    assert hist.share_above(0.03) == pytest.approx(0.01)
    earlier = Histogram(list(hist.bounds), [0.0, 40.0, 40.0, 40.0])
    window = hist - earlier
    assert window.total == 60 and window.quantile(0.5) == pytest.approx(0.02 + 0.01 * 20 / 49)
    assert Histogram().quantile(0.99) is None
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3 and percentile([], 0.5) is None
