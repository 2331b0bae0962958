"""From a recorder's spool to the finished files: the candidate, the interviewer's outbound
packets (DTX pauses included) and the camera line up on one clock, also after a crash."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from media.compose import INTERVIEWER_TRACK, compose_recording
from media.playout import AgentAudioTrack
from media.recorder import Recorder
from media.segment import read_track_start
from tests.frames import audio_frame, decode_mono, vp8_packets
from tests.media.conftest import FakeClock
from tests.media.signals import best_lag, chirp, rms

RATE = 48_000
FLUSH_WAIT_S = 0.3  # a few of the recorder's 0.05 s batches


def resampled_48k(pcm_24k: np.ndarray) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    frame = audio_frame(pcm_24k, rate_hz=24_000, layout="mono")
    out = [f.to_ndarray()[0] for f in resampler.resample(frame) + resampler.resample(None)]
    return np.concatenate(out)


async def record_a_call(spool: Path, clock: FakeClock, segment_s: float = 1.0) -> dict:
    """A call on a fake clock; returns where each voice really was (session seconds)."""
    recorder = Recorder(spool, segment_s=segment_s, clock=clock, batch_s=0.05)
    await recorder.start()  # session time zero
    interviewer = await recorder.add_track("audio", name=INTERVIEWER_TRACK)
    candidate = await recorder.add_track("audio")
    video = await recorder.add_track("video")
    voice = AgentAudioTrack(opus=True, clock=clock, sleep=clock.sleep)
    voice.add_sink(interviewer)
    question = chirp(2500, 400, 1.0, 24_000)
    answer = chirp(300, 3000, 1.5, RATE)

    clock.now = 0.3  # the interviewer's track starts sending, with a question
    voice.feed(question.tobytes())
    packets = [await voice.recv() for _ in range(50)]  # 1 s of speech, 20 ms each
    first_word = packets[0].pts / RATE
    for _ in range(3):  # then silence: DTX sends one packet in 20 (pts jump 400 ms)
        packets.append(await voice.recv())
    assert packets[-1].pts - packets[-2].pts == 20 * 960
    await asyncio.sleep(FLUSH_WAIT_S)

    # The candidate's microphone reaches the server: its first 100 ms in one late burst (as
    # when a connection settles), then a frame every 20 ms. Time zero is 1.9 all the same.
    for n, i in enumerate(range(0, len(answer) - 959, 960)):
        clock.now = 1.9 + max(n, 5) * 0.02
        candidate.push(audio_frame(answer[i : i + 960], layout="mono", pts=i))
    for n, packet in enumerate(vp8_packets(30)):  # then 1 s of camera, from 2.1
        clock.now = 2.1 + n / 30
        video.push(packet)
    await asyncio.sleep(FLUSH_WAIT_S)
    return {
        "recorder": recorder, "voice": voice, "question": question, "answer": answer,
        "question_at": 0.3 + first_word, "answer_at": 1.9,
    }


async def test_both_voices_and_the_picture_line_up(tmp_path: Path, fake_clock: FakeClock) -> None:
    call = await record_a_call(tmp_path / "spool", fake_clock)
    await call["recorder"].close()
    assert read_track_start(tmp_path / "spool" / INTERVIEWER_TRACK) == pytest.approx(0.3)
    assert read_track_start(tmp_path / "spool" / "audio") == pytest.approx(1.9)

    made = await asyncio.to_thread(compose_recording, tmp_path / "spool", tmp_path / "out")
    assert set(made) == {"audio", "candidate", "interviewer", "video", "interview"}
    assert {p.path.name for p in made.values()} == {
        "audio.ogg", "audio.candidate.ogg", "audio.interviewer.ogg", "video.webm",
        "interview.webm"}
    zero = 0.3  # the earliest track: the interviewer's
    mixed = decode_mono(made["audio"].path)
    lag_q, corr_q = best_lag(resampled_48k(call["question"]), mixed)
    lag_a, corr_a = best_lag(call["answer"], mixed)
    assert lag_q == pytest.approx(call["question_at"] - zero, abs=0.02) and corr_q > 0.7
    assert lag_a == pytest.approx(call["answer_at"] - zero, abs=0.02) and corr_a > 0.8
    assert rms(mixed, 1.1, 1.55) < 0.003  # DTX silence between them kept its length
    assert made["audio"].duration_s == pytest.approx(1.9 + 1.5 - zero, abs=0.03)

    with av.open(str(made["interview"].path)) as container:
        times = [f.time for f in container.decode(video=0)]
    assert len(times) == 30 and times[0] == pytest.approx(2.1 - zero, abs=0.01)
    sound = decode_mono(made["interview"].path)
    assert best_lag(call["answer"], sound)[0] == pytest.approx(1.9 - zero, abs=0.02)


async def test_a_crash_leaves_both_voices_salvageable(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    """No close(): the spool is copied as a killed process leaves it (open `.part` files)."""
    call = await record_a_call(tmp_path / "spool", fake_clock, segment_s=60.0)  # all open
    await asyncio.sleep(1.2)  # the muxers flush at least once a second
    shutil.copytree(tmp_path / "spool", tmp_path / "crashed")
    await call["recorder"].close()
    assert list((tmp_path / "crashed" / INTERVIEWER_TRACK).glob("*.part"))

    made = await asyncio.to_thread(compose_recording, tmp_path / "crashed", tmp_path / "out")
    assert {"audio", "candidate", "interviewer"} <= set(made)
    mixed = decode_mono(made["audio"].path)
    lag_q, corr_q = best_lag(resampled_48k(call["question"]), mixed)
    assert lag_q == pytest.approx(call["question_at"] - 0.3, abs=0.02) and corr_q > 0.7
    assert rms(mixed, 1.9 - 0.3 + 0.1, 1.9 - 0.3 + 0.5) > 0.05  # the answer's start survived
