from pathlib import Path

from media.segment import list_segments, next_index


def test_segments_are_listed_in_order_with_unfinished_ones(tmp_path: Path) -> None:
    for name in ("000010.ogg", "000002.ogg", "000011.ogg.part", "notes.txt", "12.ogg"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_segments(tmp_path)] == [
        "000002.ogg",
        "000010.ogg",
        "000011.ogg.part",
    ]
    assert next_index(tmp_path) == 12
    assert next_index(tmp_path / "missing") == 1
