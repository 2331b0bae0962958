"""How the bridge's Live socket is opened: an external Live endpoint set by configuration is
reached through google-genai's own connect, without permessage-deflate (zlib on base64
audio costs the server CPU per 40 ms message for little saving)."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import web
from google.genai import types

from agents.live_model import LiveModel
from agents.offline import tls

MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


async def live_endpoint(seen: list[dict[str, str]], certs: tls.Certificates) -> web.AppRunner:
    """A Live endpoint that records each connection's handshake and answers the setup."""

    async def connect(request: web.Request) -> web.WebSocketResponse:
        seen.append(dict(request.headers))
        ws = web.WebSocketResponse()  # would accept deflate if the client offered it
        await ws.prepare(request)
        setup = json.loads(await ws.receive_str())
        assert "setup" in setup
        await ws.send_str(json.dumps({"setupComplete": {}}))
        await ws.receive()  # until the client closes
        return ws

    app = web.Application()
    app.router.add_get("/{tail:.*}", connect)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context(certs)).start()
    return runner


async def test_the_live_socket_is_opened_without_compression(tmp_path: Path) -> None:
    certs = tls.generate(tmp_path)
    seen: list[dict[str, str]] = []
    runner = await live_endpoint(seen, certs)
    port = runner.addresses[0][1]
    model = LiveModel(MODEL, "a-key", base_url=f"https://127.0.0.1:{port}", ca_file=certs.ca)
    try:
        llm = await model()
        config = types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO])
        async with llm.api_client.aio.live.connect(model=MODEL, config=config):
            pass
    finally:
        await model.close()
        await runner.cleanup()
    assert len(seen) == 1
    assert seen[0].get("Upgrade", "").lower() == "websocket"
    assert "Sec-WebSocket-Extensions" not in seen[0]


async def test_the_cloud_client_accepts_the_socket_options() -> None:
    model = LiveModel(MODEL, "a-key")
    try:
        llm = await model()
        assert llm.api_client is not None  # built without a request: no network here
    finally:
        await model.close()
