"""agents/offline/protocol.py: camelCase and snake_case client frames, server frame shapes."""

from __future__ import annotations

import base64

import pytest
from google.genai import types

from agents.offline import protocol as p

PCM = bytes(range(256)) * 4


def test_setup_camel_case() -> None:
    (setup,) = p.parse_client_message({"setup": {
        "model": "models/gemini-live-2.5-flash-preview",
        "generationConfig": {"responseModalities": ["AUDIO"], "speechConfig": {
            "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}}},
        "systemInstruction": {"parts": [{"text": "Be kind."}, {"text": " Really."}]},
        "tools": [{"functionDeclarations": [{"name": "advance_phase", "parameters": {
            "type": "OBJECT", "properties": {"phase": {"type": "STRING", "enum": ["intro"]}}}}]}],
        "inputAudioTranscription": {}, "outputAudioTranscription": {},
        "realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}},
        "sessionResumption": {"handle": "h1"}, "contextWindowCompression": {"slidingWindow": {}},
    }})
    assert isinstance(setup, p.Setup)
    assert setup.model.endswith("flash-preview") and setup.voice_name == "Kore"
    assert setup.instruction == "Be kind. Really."
    assert setup.functions == (p.FunctionDeclaration("advance_phase", {"phase": ("intro",)}),)
    assert setup.input_transcription and setup.output_transcription and setup.audio_out
    assert not setup.automatic_activity_detection
    assert setup.resumption and setup.handle == "h1" and setup.compression


def test_setup_snake_case_minimal() -> None:
    (setup,) = p.parse_client_message({"setup": {
        "model": "m", "generation_config": {"response_modalities": ["TEXT"]},
        "realtime_input_config": {"automatic_activity_detection": {"disabled": False}},
        "session_resumption": {},
    }})
    assert isinstance(setup, p.Setup)
    assert not setup.audio_out and setup.automatic_activity_detection
    assert setup.resumption and setup.handle is None and not setup.input_transcription


def test_realtime_input_variants() -> None:
    b64 = base64.b64encode(PCM).decode()
    events = p.parse_client_message({"realtime_input": {"media_chunks": [
        {"mime_type": "audio/pcm;rate=16000", "data": b64},
        {"mimeType": "image/jpeg", "data": "AAAA"},
    ]}})
    assert events == [p.Audio(PCM, 16_000), p.Video("image/jpeg")]
    assert p.parse_client_message({"realtimeInput": {"audio": {
        "mimeType": "audio/pcm;rate=48000", "data": b64}}}) == [p.Audio(PCM, 48_000)]
    urlsafe = base64.urlsafe_b64encode(PCM).decode()
    assert p.parse_client_message({"realtimeInput": {"audio": {"data": urlsafe}}}) == \
        [p.Audio(PCM, 16_000)]
    assert p.parse_client_message({"realtimeInput": {"activityStart": {}}}) == [p.ActivityStart()]
    assert p.parse_client_message({"realtime_input": {"activity_end": {}}}) == [p.ActivityEnd()]
    assert p.parse_client_message({"realtimeInput": {"audioStreamEnd": True}}) == \
        [p.AudioStreamEnd()]
    assert p.parse_client_message({"realtimeInput": {"text": "hi"}}) == [p.Text("hi")]


def test_client_content_and_tool_response() -> None:
    (content,) = p.parse_client_message({"client_content": {"turns": [
        {"role": "user", "parts": [{"text": "hello"}]},
        {"role": "model", "parts": [{"text": "hi "}, {"text": "there"}]},
        {"role": "user", "parts": [{"function_response": {"name": "x", "response": {}}}]},
    ], "turn_complete": True}})
    assert content == p.ClientContent((
        p.Turn("user", "hello"), p.Turn("model", "hi there"), p.Turn("user", "", 1)), True)
    (response,) = p.parse_client_message({"toolResponse": {"functionResponses": [
        {"id": "c1", "name": "advance_phase", "response": {"agentName": "kept as is"}}]}})
    assert response == p.ToolResponse((
        p.FunctionResponse("c1", "advance_phase", {"agentName": "kept as is"}),))


@pytest.mark.parametrize("bad", [
    [], {"nope": {}}, {"setup": {}}, {"realtimeInput": {"audio": {"data": 5}}},
    {"realtimeInput": {"audio": {"data": "###"}}},
])
def test_bad_frames_raise(bad: object) -> None:
    with pytest.raises(p.ProtocolError):
        p.parse_client_message(bad)


def test_server_frames_parse_with_the_sdk() -> None:
    frames = [
        p.setup_complete("s1"), p.audio_chunk(PCM), p.input_transcription("hi", finished=True),
        p.output_transcription(" there"), p.generation_complete(), p.turn_complete(10, 5),
        p.interrupted(), p.tool_call([("c1", "advance_phase", {"phase": "interview"})]),
        p.tool_call_cancellation(["c1"]), p.go_away(5), p.resumption_update("h2"),
    ]
    msgs = [types.LiveServerMessage._from_response(response=dict(
        (k[0].lower() + k[1:], v) for k, v in f.items()), kwargs={}) for f in frames]
    # the SDK's converter maps camelCase top-level keys; check it the way the SDK does
    from google.genai import _live_converters as conv
    msgs = [types.LiveServerMessage._from_response(
        response=conv._LiveServerMessage_from_mldev(f), kwargs={}) for f in frames]
    assert msgs[0].setup_complete.session_id == "s1"
    assert msgs[1].server_content.model_turn.parts[0].inline_data.data == PCM
    assert msgs[1].server_content.model_turn.parts[0].inline_data.mime_type == \
        "audio/pcm;rate=24000"
    assert msgs[2].server_content.input_transcription.finished is True
    assert msgs[3].server_content.output_transcription.text == " there"
    assert msgs[4].server_content.generation_complete
    assert msgs[5].server_content.turn_complete and msgs[5].usage_metadata.total_token_count == 15
    assert msgs[6].server_content.interrupted
    assert msgs[7].tool_call.function_calls[0].args == {"phase": "interview"}
    assert msgs[8].tool_call_cancellation.ids == ["c1"]
    assert msgs[9].go_away.time_left == "5s"
    assert msgs[10].session_resumption_update.new_handle == "h2"
