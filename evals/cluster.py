"""A cluster on one machine, and the load harness through its balancer.

    python -m evals.cluster --hold                              # start it; print URLs; Ctrl-C
    python -m evals.cluster --nodes 2 --peers 8 --seconds 20    # calls through HAProxy
    python -m evals.cluster --nodes 1 --peers 4 --interviewer-external   # the production shape

Starts PostgreSQL and an S3-protocol server on loopback (as the tests do), `--nodes` server
processes sharing them (one per core by default), and HAProxy in front with a generated
config (evals/cluster_nodes.py). With `--interviewer-external` every call has the real
interviewer (ADK `run_live`) with its model in one `python -m agents.offline` process, so the
server processes hold only the bridge; otherwise the alternating stand-in talks.

The load: `--peers` simulated candidates (evals/load_peer.py) sign up, create interviews and
offer through the balancer; once every peer hears audio back it measures a steady window of
`--seconds` and prints, per server process: calls held, CPU %, RSS, inbound lateness p99 and
outbound interval p99 (pass: ≤ 40 / ≤ 30 ms); and for the capacity model (docs/scaling.md):
kbit/s per call each way (the peers' DTLS transport bytes: SRTP and data channel), database
commits and row writes per call-minute (pg_stat_database), and, after the calls end and
their recordings are stored, object-store bytes per interview hour.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
import uuid
from dataclasses import dataclass

import aiohttp
import asyncpg

from evals import load_measure as measure
from evals.cluster_nodes import Cluster, Node
from evals.load_config import INTERVIEW, LATENESS_LIMIT_S, OUTBOUND_LIMIT_S, PASSWORD
from evals.load_media import speech_clip, video_clip
from evals.load_peer import LoadPeer, install_arrival_decoder, restore_decoder
from evals.load_report import fmt
from server.live.ice import enable_loopback_only


@dataclass
class NodeSample:
    scrape: measure.Scrape
    proc: measure.ProcSample | None


async def _sample(http: aiohttp.ClientSession, node: Node) -> NodeSample:
    async with http.get(f"{node.url}/metrics") as resp:
        scrape = measure.parse_metrics(await resp.text())
    return NodeSample(scrape, measure.proc_sample(node.pid) if node.pid else None)


async def _db_counts(url: str) -> tuple[int, int]:
    """(commits, rows inserted + updated + deleted) of the shared database so far."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted AS writes "
            "FROM pg_stat_database WHERE datname = current_database()")
    finally:
        await conn.close()
    return int(row["xact_commit"]), int(row["writes"])


async def _rtp_bytes(peers: list[LoadPeer]) -> tuple[int, int]:
    """(bytes the peers sent, bytes they received) on their DTLS transports (SRTP media and
    the data channel; no UDP/IP headers), all peers."""
    sent = received = 0
    for peer in peers:
        for stats in (await peer.pc.getStats()).values():
            if getattr(stats, "type", "") == "transport":
                sent += stats.bytesSent
                received += stats.bytesReceived
    return sent, received


def _store_bytes(cluster: Cluster) -> int:
    """Every object's size in the recordings bucket (blocking: run in a thread)."""
    from minio import Minio

    s3 = cluster.s3
    client = Minio(s3.endpoint, access_key=s3.access_key,  # type: ignore[attr-defined]
                   secret_key=s3.secret_key, secure=False,  # type: ignore[attr-defined]
                   region=s3.region)  # type: ignore[attr-defined]
    return sum(o.size or 0 for o in client.list_objects(cluster.bucket, recursive=True))


async def run(cluster: Cluster, peers_n: int, seconds: float, video: bool) -> bool:
    speech, clip = speech_clip(), video_clip() if video else None
    jar = aiohttp.CookieJar(unsafe=True)
    peers: list[LoadPeer] = []
    async with aiohttp.ClientSession(cluster.url, cookie_jar=jar) as http:
        body = {"email": f"cluster-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD,
                "name": "Load"}
        async with http.post("/api/auth/signup", json=body) as resp:
            assert resp.status == 201, await resp.text()
        ids = []
        for _ in range(peers_n):
            async with http.post("/api/interviews", json=INTERVIEW) as resp:
                ids.append((await resp.json())["id"])
        peers = [LoadPeer(i, speech, clip) for i in range(peers_n)]
        gate = asyncio.Semaphore(4)

        async def connect(peer: LoadPeer, interview_id: str) -> None:
            async with gate:
                await peer.connect(http, interview_id, timeout_s=30)

        try:
            await asyncio.gather(*(connect(p, i) for p, i in zip(peers, ids, strict=True)))
            live = [p for p in peers if p.connect_s is not None]
            for failure in sorted({p.failed for p in peers if p.failed}):
                print(f"  failed: {failure}")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(60):
                    await asyncio.gather(*(p.first_back.wait() for p in live))
            await asyncio.sleep(3.0)
            ok = await _window(cluster, http, live, seconds)
        finally:
            await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
        await _report_store(cluster, http, ids)
    return ok and len(live) == peers_n


async def _window(cluster: Cluster, http: aiohttp.ClientSession, live: list[LoadPeer],
                  seconds: float) -> bool:
    before = {n.name: await _sample(http, n) for n in cluster.members}
    db0, bytes0 = await _db_counts(cluster.database_url), await _rtp_bytes(live)
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    after = {n.name: await _sample(http, n) for n in cluster.members}
    elapsed = time.monotonic() - t0
    bytes1 = await _rtp_bytes(live)
    await asyncio.sleep(1.0)  # PostgreSQL publishes a backend's counts within a second
    db1 = await _db_counts(cluster.database_url)
    ok = True
    print(f"  {len(live)} calls through the balancer, {elapsed:.0f} s window, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("  | process | calls | CPU % | CPU % / call | RSS MB | lateness p99 ms | "
          "outbound p99 ms | pass |")
    print("  |---|---|---|---|---|---|---|---|")
    for node in cluster.members:
        b, a = before[node.name], after[node.name]
        calls = int(a.scrape.gauges.get(measure.LIVE_SESSIONS, 0))
        cpu = (a.proc.cpu_s - b.proc.cpu_s) / elapsed * 100 if a.proc and b.proc else None
        late = measure.window(b.scrape, a.scrape, measure.INBOUND_LATENESS)
        out = measure.window(b.scrape, a.scrape, measure.OUTBOUND_INTERVAL)
        passed = (late.share_above(LATENESS_LIMIT_S) <= 0.01 if late.total else True) and (
            out.share_above(OUTBOUND_LIMIT_S) <= 0.01 if out.total else True)
        ok = ok and passed
        per_call = cpu / calls if cpu is not None and calls else None
        rss = a.proc.rss_bytes / 2**20 if a.proc else None
        lp99 = late.quantile(0.99) if late.total else None
        op99 = out.quantile(0.99) if out.total else None
        print(f"  | {node.name} (pid {node.pid}) | {calls} | {fmt(cpu, 0)} | {fmt(per_call)} | "
              f"{fmt(rss, 0)} | {fmt(lp99 and lp99 * 1000)} | {fmt(op99 and op99 * 1000)} | "
              f"{'yes' if passed else 'NO'} |")
    call_s = len(live) * elapsed
    if call_s:
        up = (bytes1[0] - bytes0[0]) * 8 / call_s / 1000
        down = (bytes1[1] - bytes0[1]) * 8 / call_s / 1000
        print(f"  media per call (DTLS transport): {up:.1f} kbit/s in to the server, "
              f"{down:.1f} kbit/s out")
        per_min = call_s / 60
        # The balancer's `/healthz` checks roll back (a bare SELECT): they count in neither.
        print(f"  database per call-minute: {(db1[0] - db0[0]) / per_min:.1f} commits, "
              f"{(db1[1] - db0[1]) / per_min:.1f} rows written")
    return ok


async def _report_store(cluster: Cluster, http: aiohttp.ClientSession, ids: list[str]) -> None:
    """Once every recording is stored: object-store bytes per interview hour."""
    deadline = time.monotonic() + 120
    records: list[dict] = []
    while time.monotonic() < deadline:
        records = []
        for interview_id in ids:
            async with http.get(f"/api/interviews/{interview_id}") as resp:
                records.append(await resp.json())
        if all(r["status"] != "in_progress" and "recording" in (r["metadata"] or {})
               for r in records):
            break
        await asyncio.sleep(1.0)
    call_s = sum(r["duration_seconds"] or 0 for r in records)
    stored = await asyncio.to_thread(_store_bytes, cluster)
    if call_s:
        print(f"  object store: {stored / 2**20:.1f} MiB for {call_s} s of calls = "
              f"{stored / call_s * 3600 / 2**20:.0f} MiB per interview hour")


async def _main(args: argparse.Namespace) -> int:
    enable_loopback_only()  # the peers, as the processes, use loopback candidates
    previous = install_arrival_decoder()
    env = {"MAX_LIVE_PER_USER": "10000"}
    try:
        async with Cluster(nodes=args.nodes, max_sessions=args.max_sessions, env=env,
                           external_model=args.interviewer_external, keep=args.keep) as cluster:
            print(f"balancer {cluster.url}; processes "
                  + ", ".join(f"{n.name} {n.url} (pid {n.pid})" for n in cluster.members)
                  + (f"; model {cluster.model_url} (pid {cluster.model.pid})"
                     if cluster.model else "")
                  + f"; PostgreSQL {cluster.database_url}; haproxy.cfg in {cluster.root}",
                  flush=True)
            if args.hold:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.Event().wait()
                return 0
            ok = await run(cluster, args.peers, args.seconds, args.video)
    finally:
        restore_decoder(previous)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.cluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=os.cpu_count() or 1,
                        help="server processes (one per core)")
    parser.add_argument("--peers", type=int, default=6, help="simulated candidates (6)")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady window (20)")
    parser.add_argument("--video", action="store_true", help="also send 640x360 VP8 video")
    parser.add_argument("--max-sessions", type=int, default=17, help="MAX_SESSIONS (17)")
    parser.add_argument("--interviewer-external", action="store_true",
                        help="the real interviewer, its model in one agents.offline process")
    parser.add_argument("--hold", action="store_true", help="start it and wait for Ctrl-C")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, cfg)")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
