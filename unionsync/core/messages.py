"""Errors whose text can be translated: an English template plus parameters.

The template is the gettext message id; `str()` gives the English text for logs and the CLI,
and pages show `gettext(template) % params` in the reader's language.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional marker name
    """Marks a string for extraction; it is translated where it is shown."""
    return message


class ExplainedError(ValueError):
    """A value error with a translatable explanation."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


def render_message(template: str, params: dict[str, Any], translate: Any) -> str:
    """`template` translated by `translate` and filled with `params`."""
    text: str = translate(template)
    return text % params if params else text


class Message:
    """A translatable text and its parameters; a parameter may itself be a `Message` (a problem
    inside a place: «Финансирование, строка 2, «Сумма»: %(problem)s»). `str()` is English."""

    __slots__ = ("params", "template")

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params

    def render(self, translate: Any) -> str:
        params = {
            k: v.render(translate) if isinstance(v, Message) else v for k, v in self.params.items()
        }
        return render_message(self.template, params, translate)

    def __str__(self) -> str:
        return self.render(lambda text: text)
