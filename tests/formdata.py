"""Read a form out of a page as a browser would send it back, for two-session tests."""

from html import unescape
from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.current = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.current.setdefault(name, []).append(
                attrs.get("value", "on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select[2] is None:
                self.select[2] = value
            if "selected" in attrs:
                self.select[1] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None:
            name, chosen, first = self.select
            self.current.setdefault(name, []).append(chosen if chosen is not None else first or "")
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.current.setdefault(name, []).append(unescape(text).removeprefix("\n"))
            self.textarea = None


def form_data(html: str, field: str) -> dict:
    """The values of the page's form that has a field named `field`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form:
            return {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    raise AssertionError(f"no form with a field {field!r}")
