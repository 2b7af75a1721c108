"""tests/myst_notebooks.py: what nbval records is what the book shows (outputs as a notebook
client records them), read exactly as myst-nb reads the chapter, so the book finds it cached."""

from pathlib import Path

import jupytext
from jupyter_cache.cache.main import JupyterCacheBase

from tests.myst_notebooks import _outputs, is_chapter, read_chapter

ROOT = Path(__file__).resolve().parent.parent


def _msg(kind, **content):
    return {"msg_type": kind, "content": content, "header": {"msg_type": kind},
            "parent_header": {"msg_id": "cell"}, "metadata": {}}


def _display(svg, display_id=None):
    transient = {"display_id": display_id} if display_id else {}
    return _msg("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"},
                metadata={}, transient=transient)


def test_an_updated_display_keeps_only_its_last_frame():
    messages = [_msg("stream", name="stdout", text="epoch 1\n"), _display("frame 1", "anim"),
                _msg("update_display_data", data={"image/svg+xml": "frame 2"}, metadata={},
                     transient={"display_id": "anim"}),
                _msg("stream", name="stdout", text="done\n")]
    outputs = _outputs(messages, {})
    assert [o.output_type for o in outputs] == ["stream", "display_data", "stream"]
    assert outputs[1].data["image/svg+xml"] == "frame 2"


def test_an_update_reaches_a_display_made_by_an_earlier_cell():
    displays = {}
    first = _outputs([_display("old", "fig")], displays)
    _outputs([_msg("update_display_data", data={"image/svg+xml": "new"}, metadata={},
                   transient={"display_id": "fig"})], displays)
    assert first[0].data["image/svg+xml"] == "new"


def test_clear_output_with_wait_clears_when_the_next_output_arrives():
    messages = [_display("a"), _msg("clear_output", wait=True), _display("b")]
    assert [o.data["image/svg+xml"] for o in _outputs(messages, {})] == ["b"]
    assert _outputs([_display("a"), _msg("clear_output", wait=False)], {}) == []


def test_errors_are_recorded_as_error_outputs():
    messages = [_msg("error", ename="AssertionError", evalue="", traceback=["..."])]
    assert _outputs(messages, {})[0].output_type == "error"


def test_every_chapter_hashes_as_the_book_build_hashes_it():
    # jupyter-cache matches a notebook by its code cells (source and metadata) and kernelspec;
    # the book reads chapters with myst-nb, as read_chapter does; jupytext (lab) agrees too.
    cache = JupyterCacheBase(str(ROOT / "_build" / "unused-cache"))
    chapters = [p for p in sorted((ROOT / "chapters").rglob("*.md")) if is_chapter(p)]
    assert chapters
    for path in chapters:
        ours = cache.create_hashed_notebook(read_chapter(path))[1]
        jupytexts = cache.create_hashed_notebook(jupytext.read(path, fmt="md:myst"))[1]
        assert ours == jupytexts, path
