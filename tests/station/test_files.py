"""Exports and labels are written whole or not at all, and never over something not a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from station.files import NotARegularFile, write_file


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    write_file(target, b"first")
    write_file(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert os.listdir(tmp_path) == ["b.json"]  # no temporary file left


@pytest.mark.parametrize("kind", ["directory", "pipe"])
def test_something_that_is_not_a_file_is_refused_and_left_as_it_is(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    with pytest.raises(NotARegularFile) as raised:
        write_file(target, b"data")
    assert "not a regular file" in str(raised.value.strerror)
    assert target.is_dir() if kind == "directory" else target.is_fifo()
    assert os.listdir(tmp_path) == ["out"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "b.pdf"
    write_file(target, b"old")
    with pytest.raises(TypeError):
        write_file(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["b.pdf"]


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_file(tmp_path / "no" / "such" / "b.pdf", b"x")


def test_a_label_file_stays_in_its_folder(tmp_path: Path) -> None:
    from station.errors import CommandError
    from station.exports import label_file

    assert label_file(tmp_path, "B-2611-001", "OP20.S20", 2) == tmp_path / "B-2611-001-OP20.S20-2.pdf"
    for batch in ("../../tmp/x", "B-1\nB-2", "B\u202e-1"):
        with pytest.raises(CommandError) as info:
            label_file(tmp_path, batch, "OP20.S20", 1)
        assert info.value.exit_code == 2 and "the batch id" in str(info.value)
