"""Read every form out of a page with what a browser needs to send it back or tamper with it:
method, action, encoding, each control's kind, options and rendered value."""

from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class Control:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str | None  # as the browser would send it; None: not sent (unchecked)
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    controls: list[Control] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def data(self, button=None) -> dict:
        """The form as rendered, sent with `button` (a named submit) when given."""
        out: dict = {}
        for control in self.controls:
            if control.kind == "file" or control.value is None:
                continue
            out.setdefault(control.name, []).append(control.value)
        if button is not None:
            out.setdefault(button[0], []).append(button[1])
        return {k: v[0] if len(v) == 1 else v for k, v in out.items()}

    def fields(self) -> dict[str, Control]:
        """One control per name (radio buttons and checkboxes of one name are one field)."""
        named: dict[str, Control] = {}
        for control in self.controls:
            if control.name in named:
                named[control.name].options += control.options
            else:
                named[control.name] = Control(
                    control.name, control.kind, control.value, list(control.options)
                )
        return named


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Control | None = None
        self.textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form(
                method=(attrs.get("method") or "get").lower(),
                action=attrs.get("action") or "",
                multipart="multipart" in (attrs.get("enctype") or ""),
            )
            self.forms.append(self.current)
        if self.current is None:
            return
        name = attrs.get("name")
        if tag in ("input", "button") and name:
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind in ("submit", "image"):
                self.current.buttons.append((name, attrs.get("value") or ""))
                return
            if kind in ("button", "reset"):
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            options = [value] if kind in ("checkbox", "radio") else []
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                value = None
            if kind == "file":
                value = None
            self.current.controls.append(Control(name, kind, value, options))
        elif tag == "select" and name:
            self.select = Control(name, "select", None, [], "multiple" in attrs)
            self.select.first = None
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select.options.append(value)
            if self.select.first is None:
                self.select.first = value
            if "selected" in attrs:
                if self.select.multiple:
                    self.current.controls.append(
                        Control(self.select.name, "select", value, [], True)
                    )
                else:
                    self.select.value = value
        elif tag == "textarea" and name:
            self.textarea = Control(name, "textarea", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            control = self.select
            if control.multiple:
                # The selected options are controls already; keep one to carry the options.
                self.current.controls.append(
                    Control(control.name, "select", None, control.options, True)
                )
            else:
                if control.value is None:
                    control.value = control.first or ""
                self.current.controls.append(control)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.textarea.value = unescape(self.textarea.value).removeprefix("\n")
            self.current.controls.append(self.textarea)
            self.textarea = None


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
