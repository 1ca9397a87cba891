import pytest

from lprkit.fileio import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    write_folder_atomically,
)


def test_write_refuses_to_overwrite_unless_asked(tmp_path):
    p = atomic_write_text(tmp_path / "sub" / "a.txt", "one")
    assert p.read_text() == "one"
    with pytest.raises(FileExistsError, match="a.txt exists"):
        atomic_write_text(p, "two")
    atomic_write_bytes(p, b"two", overwrite=True)
    assert p.read_text() == "two"
    atomic_write_json(tmp_path / "s.json", {"k": "가"})
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == '{\n  "k": "가"\n}\n'


def test_failed_folder_write_keeps_the_previous_folder(tmp_path):
    target = tmp_path / "ckpt"
    write_folder_atomically(target, lambda d: (d / "w.bin").write_bytes(b"old"))

    def broken(d):
        (d / "w.bin").write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_folder_atomically(target, broken, overwrite=True)
    assert (target / "w.bin").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no temp folder left behind
    write_folder_atomically(target, lambda d: (d / "w.bin").write_bytes(b"new"), overwrite=True)
    assert (target / "w.bin").read_bytes() == b"new"
    with pytest.raises(FileExistsError):
        write_folder_atomically(target, lambda d: None)
