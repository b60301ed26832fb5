"""`make demo`'s options, without running the demo."""

from __future__ import annotations


def test_keep_refuses_a_directory_that_is_not_empty(tmp_path, capsys):
    from bot.devtools.demo import run_demo

    (tmp_path / "something").write_text("mine")
    assert run_demo(str(tmp_path)) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["something"]
