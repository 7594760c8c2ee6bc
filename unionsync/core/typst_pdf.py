"""PDF from Typst markup (the Typst compiler ships in the `typst` wheel: no system fonts, no
network): the one place that escapes values and compiles, for every report."""

from __future__ import annotations


def literal(value: object) -> str:
    """A value as Typst string-literal content (quotes and backslashes escaped), so data is
    never read as markup."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"')


def compile_pdf(source: str) -> bytes:
    import typst

    pdf = typst.compile(source.encode("utf-8"), ignore_system_fonts=True)
    if not isinstance(pdf, bytes):
        raise RuntimeError("Typst returned no PDF")
    return pdf
