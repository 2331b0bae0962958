"""An offline stand-in for the Gemini Live API, so the interviewer runs with no key and no
network: `OfflineLiveServer` speaks the `BidiGenerateContent` websocket protocol over TLS on
127.0.0.1, with webrtcvad turn detection, pocketsphinx speech recognition, espeak-ng speech
and a rule-driven interviewer brain."""

from agents.offline.server import OfflineLiveServer

__all__ = ["OfflineLiveServer"]
