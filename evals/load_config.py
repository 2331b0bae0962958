"""What a load run is asked to do and what it measured; the limits a run must meet."""

from __future__ import annotations

from dataclasses import dataclass, field

SERVER_MODULES = {"ours": "server", "baseline": "evals.baseline_server"}
LATENESS_LIMIT_S = 0.040
OUTBOUND_LIMIT_S = 0.030
REPLY_P95_LIMIT_S = 1.3  # turn-taking runs: the interviewer's voice-to-voice goal
RT_PRIORITY = 10
PASSWORD = "load test password 1"
INTERVIEW = {
    "type": "system_design",
    "role": "Backend Engineer",
    "level": "senior",
    "company": "free_practice",
}


@dataclass
class LoadConfig:
    peers: int = 10
    seconds: float = 20.0
    video: bool = False
    server: str = "ours"  # "ours" | "baseline": which server to start (label only with url)
    url: str | None = None  # drive a server that is already running
    server_pid: int | None = None  # ... and measure this process
    server_cpu: int | None = 0
    nice: int = 0  # scheduling priority of the server (-20..19; below 0 needs root)
    realtime: bool = False  # run the server SCHED_RR (root): a shared machine's noise stays out
    settle_s: float = 3.0
    warmup: bool = True
    connect_concurrency: int = 4
    connect_timeout_s: float = 30.0
    profile: str | None = None  # py-spy the server over the window: .txt collapsed, else .svg
    background: dict[str, float] = field(default_factory=dict)  # kind -> requests/s (window)
    canvas: bool = False  # each peer also sends a ~400 KB whiteboard snapshot every 2 s
    # the real interviewer in every call, its model in a `python -m agents.offline` process
    # pinned to the harness's core: the server holds only the ADK bridge (the production shape)
    interviewer_external: bool = False
    model_cpu: int | None = 1
    # ours: the EVENT_LOOP it runs on ("uvloop" | "asyncio"); None: the server's default
    event_loop: str | None = None
    root: str | None = None  # ours: start it from this checkout instead of this one
    variant: str | None = None  # ours: the run's name beside "ours", e.g. "uvloop", "before"
    # each peer speaks a sentence and waits for the interviewer's answer (evals/load_turns.py)
    turns: bool = False


@dataclass
class LoadResult:
    server: str
    peers: int
    video: bool
    variant: str | None = None  # ours: which one, when a run compares several
    seconds: float = 0.0
    connected: int = 0
    heard_back: int = 0
    cpu_pct: float | None = None
    rss_idle_mb: float | None = None
    rss_per_session_mb: float | None = None
    connect_p50_ms: float | None = None
    connect_p99_ms: float | None = None
    gap_p50_ms: float | None = None
    gap_p99_ms: float | None = None
    lateness_p99_ms: float | None = None
    outbound_p99_ms: float | None = None
    pcm_p99_ms: float | None = None
    inbound_frames: int = 0
    outbound_frames: int = 0
    pcm_chunks: int = 0
    late_share: float = 0.0  # inbound frames later than 40 ms
    slow_share: float = 0.0  # outbound intervals longer than 30 ms
    back_pps: float = 0.0  # agent audio packets received per peer per second
    back_voiced_pps: float = 0.0  # ... of them speech (the rest: silence, DTX keeps few)
    lost_to_server: int = 0
    lost_from_server: int = 0
    gc_pause_max_ms: float | None = None  # server: bucket bound of its longest GC pause
    client_cpu_pct: float = 0.0
    client_send_late_ms: float = 0.0
    client_gc_max_ms: float = 0.0
    load_avg: str = ""
    background: str = ""  # e.g. "signups=4/s" while the window ran
    background_ok: int = 0
    background_failed: int = 0
    background_p99_ms: float | None = None
    canvas: bool = False
    canvas_sent: int = 0  # snapshots sent in the window, all peers
    canvas_saved: int = 0  # ... acknowledged stored (`canvas.saved`)
    loop_lag_p99_ms: float | None = None  # server event loop: a 20 ms timer's lateness
    loop_lag_max_ms: float | None = None  # bucket bound of the worst
    loop_lag_over_5ms: int = 0  # ticks held > 5 ms
    turns: bool = False  # the peers took turns with the interviewer
    replies: int = 0  # sentences answered in the window, all peers
    unanswered: int = 0  # ... and not answered within 10 s
    reply_p50_ms: float | None = None  # end of a sentence -> the interviewer's voice back
    reply_p95_ms: float | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """`ours`, `baseline`, or e.g. `ours (uvloop)` when a run compares several of ours."""
        return f"{self.server} ({self.variant})" if self.variant else self.server

    @property
    def cpu_pct_per_session(self) -> float | None:
        if self.cpu_pct is None or not self.connected:
            return None
        return self.cpu_pct / self.connected

    @property
    def ok(self) -> bool:
        return (
            not self.failures
            and self.connected == self.peers
            and self.heard_back == self.peers
            and self.inbound_frames > 0
            and self.outbound_frames > 0
            and self.late_share <= 0.01
            and self.slow_share <= 0.01
            and (not self.turns or self._answered_in_time)
        )

    @property
    def _answered_in_time(self) -> bool:
        return (self.replies > 0 and self.unanswered == 0 and self.reply_p95_ms is not None
                and self.reply_p95_ms <= REPLY_P95_LIMIT_S * 1000)


# -- the server under test ---------------------------------------------------------------------
