"""Gemini Live `BidiGenerateContent` frames: parse what clients send, build what we answer.

Clients (google-genai, ADK) mix snake_case and camelCase, so every field is looked up under
both spellings. User-defined maps (function args, responses, schema properties) are left as
they are. Parsing yields small typed events; building returns JSON-ready dicts in the
camelCase the real service sends.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AUDIO_IN_RATE_HZ = 16_000
AUDIO_OUT_RATE_HZ = 24_000
AUDIO_OUT_MIME = f"audio/pcm;rate={AUDIO_OUT_RATE_HZ}"


class ProtocolError(ValueError):
    """A frame the server cannot accept; the message says which part is wrong."""


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def get(d: Any, name: str, default: Any = None) -> Any:
    """`d[name]` under its snake_case or camelCase spelling (name given in snake_case)."""
    if not isinstance(d, Mapping):
        return default
    if name in d:
        return d[name]
    return d.get(camel(name), default)


def _b64(data: Any, what: str) -> bytes:
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    if not isinstance(data, str):
        raise ProtocolError(f"{what}: data must be base64 text, not {type(data).__name__}")
    try:
        padded = data + "=" * (-len(data) % 4)
        urlsafe = "-" in data or "_" in data
        return base64.b64decode(padded, altchars=b"-_" if urlsafe else None, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ProtocolError(f"{what}: bad base64 ({e})") from e


def _rate(mime: str) -> int:
    m = re.search(r"rate=(\d+)", mime)
    return int(m.group(1)) if m else AUDIO_IN_RATE_HZ


# ---- client → server -----------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # parameter -> enum


@dataclass(frozen=True)
class Setup:
    model: str
    instruction: str = ""
    functions: tuple[FunctionDeclaration, ...] = ()
    modalities: tuple[str, ...] = ("AUDIO",)
    voice_name: str | None = None
    input_transcription: bool = False
    output_transcription: bool = False
    automatic_activity_detection: bool = True
    resumption: bool = False
    handle: str | None = None
    compression: bool = False

    @property
    def audio_out(self) -> bool:
        return "TEXT" not in self.modalities or "AUDIO" in self.modalities


@dataclass(frozen=True)
class Audio:
    pcm: bytes
    rate_hz: int = AUDIO_IN_RATE_HZ


@dataclass(frozen=True)
class Video:
    mime_type: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ActivityStart:
    pass


@dataclass(frozen=True)
class ActivityEnd:
    pass


@dataclass(frozen=True)
class AudioStreamEnd:
    pass


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    function_responses: int = 0


@dataclass(frozen=True)
class ClientContent:
    turns: tuple[Turn, ...]
    turn_complete: bool


@dataclass(frozen=True)
class FunctionResponse:
    id: str | None
    name: str
    response: Any


@dataclass(frozen=True)
class ToolResponse:
    responses: tuple[FunctionResponse, ...]


@dataclass(frozen=True)
class ContextUpdate:
    instruction: str | None


Event = (Setup | Audio | Video | Text | ActivityStart | ActivityEnd | AudioStreamEnd
         | ClientContent | ToolResponse | ContextUpdate)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = get(content, "parts") or []
    return "".join(str(get(p, "text") or "") for p in parts if isinstance(p, Mapping))


def _functions(tools: Any) -> tuple[FunctionDeclaration, ...]:
    out: list[FunctionDeclaration] = []
    for tool in tools or []:
        for decl in get(tool, "function_declarations") or []:
            name = get(decl, "name")
            if not name:
                continue
            enums: dict[str, tuple[str, ...]] = {}
            schema = get(decl, "parameters") or get(decl, "parameters_json_schema") or {}
            for pname, pschema in (get(schema, "properties") or {}).items():
                values = get(pschema, "enum")
                if values:
                    enums[pname] = tuple(str(v) for v in values)
            out.append(FunctionDeclaration(str(name), enums))
    return tuple(out)


def parse_setup(body: Any) -> Setup:
    if not isinstance(body, Mapping):
        raise ProtocolError("setup must be an object")
    model = get(body, "model")
    if not model or not isinstance(model, str):
        raise ProtocolError("setup.model is required")
    gen = get(body, "generation_config") or {}
    modalities = tuple(str(m).upper() for m in (get(gen, "response_modalities") or ["AUDIO"]))
    speech = get(gen, "speech_config") or get(body, "speech_config") or {}
    voice = get(get(get(speech, "voice_config") or {}, "prebuilt_voice_config") or {}, "voice_name")
    realtime = get(body, "realtime_input_config") or {}
    aad = get(realtime, "automatic_activity_detection") or {}
    resumption = get(body, "session_resumption")
    return Setup(
        model=model,
        instruction=_content_text(get(body, "system_instruction") or ""),
        functions=_functions(get(body, "tools")),
        modalities=modalities,
        voice_name=str(voice) if voice else None,
        input_transcription=get(body, "input_audio_transcription") is not None,
        output_transcription=get(body, "output_audio_transcription") is not None,
        automatic_activity_detection=not bool(get(aad, "disabled", False)),
        resumption=resumption is not None,
        handle=(get(resumption, "handle") or None) if isinstance(resumption, Mapping) else None,
        compression=get(body, "context_window_compression") is not None,
    )


def _blob_event(blob: Any, what: str) -> Event | None:
    mime = str(get(blob, "mime_type") or "")
    if mime.startswith("audio/"):
        return Audio(_b64(get(blob, "data") or "", what), _rate(mime))
    if mime.startswith(("image/", "video/")):
        return Video(mime)
    if not mime and get(blob, "data"):
        return Audio(_b64(get(blob, "data"), what))
    return None


def _realtime(body: Any) -> list[Event]:
    if not isinstance(body, Mapping):
        raise ProtocolError("realtimeInput must be an object")
    events: list[Event] = []
    for chunk in get(body, "media_chunks") or []:
        event = _blob_event(chunk, "realtimeInput.mediaChunks")
        if event is not None:
            events.append(event)
    if (audio := get(body, "audio")) is not None:
        if isinstance(audio, Mapping) and not get(audio, "mime_type"):
            audio = {**audio, "mime_type": "audio/pcm"}
        event = _blob_event(audio, "realtimeInput.audio")
        if event is not None:
            events.append(event)
    if (video := get(body, "video")) is not None:
        events.append(Video(str(get(video, "mime_type") or "image/jpeg")))
    if get(body, "activity_start") is not None:
        events.append(ActivityStart())
    if (text := get(body, "text")) is not None:
        events.append(Text(str(text)))
    if get(body, "activity_end") is not None:
        events.append(ActivityEnd())
    if get(body, "audio_stream_end"):
        events.append(AudioStreamEnd())
    return events


def _client_content(body: Any) -> ClientContent:
    if not isinstance(body, Mapping):
        raise ProtocolError("clientContent must be an object")
    turns: list[Turn] = []
    for content in get(body, "turns") or []:
        parts = [p for p in (get(content, "parts") or []) if isinstance(p, Mapping)]
        text = "".join(str(get(p, "text") or "") for p in parts if not get(p, "thought"))
        responses = sum(1 for p in parts if get(p, "function_response") is not None)
        turns.append(Turn(str(get(content, "role") or "user"), text, responses))
    return ClientContent(tuple(turns), bool(get(body, "turn_complete", False)))


def _tool_response(body: Any) -> ToolResponse:
    responses = []
    for fr in get(body, "function_responses") or []:
        responses.append(FunctionResponse(
            id=get(fr, "id"), name=str(get(fr, "name") or ""), response=get(fr, "response")
        ))
    return ToolResponse(tuple(responses))


def parse_client_message(message: Any) -> list[Event]:
    """The events in one client frame (already JSON-decoded)."""
    if not isinstance(message, Mapping):
        raise ProtocolError("a client message must be a JSON object")
    if (body := get(message, "setup")) is not None:
        return [parse_setup(body)]
    if (body := get(message, "realtime_input")) is not None:
        return _realtime(body)
    if (body := get(message, "client_content")) is not None:
        return [_client_content(body)]
    if (body := get(message, "tool_response")) is not None:
        return [_tool_response(body)]
    if (body := get(message, "context_update")) is not None:
        instruction = get(body, "system_instruction")
        return [ContextUpdate(_content_text(instruction) if instruction is not None else None)]
    raise ProtocolError(f"unknown client message with keys {sorted(message)[:5]}")


# ---- server → client -----------------------------------------------------------------------


def setup_complete(session_id: str) -> dict[str, Any]:
    return {"setupComplete": {"sessionId": session_id}}


def audio_chunk(pcm: bytes) -> dict[str, Any]:
    data = base64.b64encode(pcm).decode("ascii")
    return {"serverContent": {"modelTurn": {"parts": [
        {"inlineData": {"mimeType": AUDIO_OUT_MIME, "data": data}}
    ]}}}


def text_chunk(text: str) -> dict[str, Any]:
    return {"serverContent": {"modelTurn": {"parts": [{"text": text}]}}}


def input_transcription(text: str, finished: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if finished:
        body["finished"] = True
    return {"serverContent": {"inputTranscription": body}}


def output_transcription(text: str, finished: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if finished:
        body["finished"] = True
    return {"serverContent": {"outputTranscription": body}}


def generation_complete() -> dict[str, Any]:
    return {"serverContent": {"generationComplete": True}}


def turn_complete(prompt_tokens: int = 0, response_tokens: int = 0) -> dict[str, Any]:
    return {
        "serverContent": {"turnComplete": True},
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "responseTokenCount": response_tokens,
            "totalTokenCount": prompt_tokens + response_tokens,
        },
    }


def interrupted() -> dict[str, Any]:
    return {"serverContent": {"interrupted": True}}


def tool_call(calls: Sequence[tuple[str, str, Mapping[str, Any]]]) -> dict[str, Any]:
    return {"toolCall": {"functionCalls": [
        {"id": call_id, "name": name, "args": dict(args)} for call_id, name, args in calls
    ]}}


def tool_call_cancellation(ids: Sequence[str]) -> dict[str, Any]:
    return {"toolCallCancellation": {"ids": list(ids)}}


def go_away(time_left_s: float) -> dict[str, Any]:
    return {"goAway": {"timeLeft": f"{time_left_s:g}s"}}


def resumption_update(handle: str | None, resumable: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"resumable": resumable}
    if handle:
        body["newHandle"] = handle
    return {"sessionResumptionUpdate": body}
