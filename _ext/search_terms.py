"""Chinese search finds the book's terms: the glossary's Chinese terms join jieba's dictionary.

Sphinx's Chinese search (``html_search_language: zh``) cuts the text into words with jieba, and
the search page looks the reader's query up as one word. jieba's general dictionary cuts many
technical terms apart (过拟合 → 过 + 拟合, 暂退法 → 暂 + 退法), so searching for them found
nothing. After the pages are read and before they are indexed, every Chinese term of the book's
``{glossary}`` is added to jieba's dictionary; jieba's search mode still indexes the shorter
words inside a term (拟合 in 过拟合).
"""

import re

CJK = re.compile(r"[\u4e00-\u9fff]")


def glossary_terms(env):
    """The Chinese terms defined in ``{glossary}`` directives anywhere in the book."""
    objects = env.get_domain("std").objects
    return sorted(name for kind, name in objects if kind == "term" and CJK.search(name))


def add_terms_to_jieba(app, env):
    if app.builder.format != "html" or not str(app.config.html_search_language).startswith("zh"):
        return
    import jieba

    for term in glossary_terms(env):
        jieba.add_word(term)


def setup(app):
    app.connect("env-updated", add_terms_to_jieba)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
