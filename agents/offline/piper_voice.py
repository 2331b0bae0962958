"""The interviewer's neural voice: Piper (`en_US-joe-medium`, 22.05 kHz) at 24 kHz.

`PiperEngine.synthesize(text)` is blocking (call it on a worker thread): ONNX Runtime runs
the model on one core and releases the GIL meanwhile, so several sessions' sentences can be
made at once on different cores. Piper phonemizes with its bundled espeak-ng library, whose
state is global, so phonemizing (a millisecond) is serialised; the model run is not.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from agents.offline.tts import RATE_OUT_HZ, resample

_phonemize_lock = threading.Lock()


class PiperEngine:
    name = "piper"

    def __init__(self, model_path: Path) -> None:
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        config_path = Path(f"{model_path}.json")
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.voice = PiperVoice(session=session, config=config)
        self.rate_hz = config.sample_rate
        # Stock phrases (acknowledgements) are the same for every server in the process.
        self._memo: OrderedDict[tuple[str, float | None, bool], bytes] = OrderedDict()
        self._memo_lock = threading.Lock()
        self.synthesized = 0

    def synthesize(
        self, text: str, length_scale: float | None = None, *, varied: bool = True
    ) -> bytes:
        """24 kHz mono s16 PCM for `text`, sentences joined with a short pause. `varied`:
        the model's sampled prosody (natural, but no two runs alike); False gives the same
        audio every time (for tests and benchmarks that speak as the candidate)."""
        key = (text, length_scale, varied)
        with self._memo_lock:
            if (hit := self._memo.get(key)) is not None:
                self._memo.move_to_end(key)
                return hit
        out = self._synthesize(text, length_scale, varied)
        if len(text) <= 60:
            with self._memo_lock:
                self._memo[key] = out
                while len(self._memo) > 128:
                    self._memo.popitem(last=False)
        return out

    def _synthesize(self, text: str, length_scale: float | None, varied: bool) -> bytes:
        from piper import SynthesisConfig

        self.synthesized += 1
        config = SynthesisConfig(length_scale=length_scale)
        if not varied:
            config.noise_scale = config.noise_w_scale = 0.0
        with _phonemize_lock:
            sentences = self.voice.phonemize(text)
        pause = np.zeros(int(self.rate_hz * 0.12), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for phonemes in sentences:
            if not phonemes:
                continue
            ids = self.voice.phonemes_to_ids(phonemes)
            audio = np.asarray(self.voice.phoneme_ids_to_audio(ids, config), dtype=np.float32)
            peak = float(np.max(np.abs(audio))) if audio.size else 0.0
            if peak > 1e-8:
                audio = audio / peak * 0.9
            if pieces:
                pieces.append(pause)
            pieces.append(audio)
        if not pieces:
            return b""
        pcm = (np.clip(np.concatenate(pieces), -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return resample(pcm, self.rate_hz, RATE_OUT_HZ)
