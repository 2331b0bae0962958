from media.vp8 import is_keyframe, keyframe_size
from tests.frames import vp8_packets


def test_keyframe_header_gives_size_inter_frames_do_not() -> None:
    key, inter = vp8_packets(2, width=320, height=240)
    assert is_keyframe(bytes(key)) and keyframe_size(bytes(key)) == (320, 240)
    assert not is_keyframe(bytes(inter)) and keyframe_size(bytes(inter)) is None


def test_garbage_is_not_a_keyframe() -> None:
    assert keyframe_size(b"") is None
    assert keyframe_size(b"\x00" * 20) is None  # key bit set but no start code
