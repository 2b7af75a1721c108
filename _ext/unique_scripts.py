"""Include each inline script once per page.

sphinx-thebe and sphinx-togglebutton add inline scripts (``app.add_js_file(None, body=...)``)
after the HTML builder has started; with Sphinx 7.4 each of them then reaches the page twice (one
copy named ``None``, the other ``''``, so Sphinx does not see them as equal). The second
``const THEBE_JS_URL = ...`` is a JavaScript error on every page ("Identifier 'THEBE_JS_URL' has
already been declared"). This drops the copies.
"""


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # Last, after every extension has added its scripts to the page.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
