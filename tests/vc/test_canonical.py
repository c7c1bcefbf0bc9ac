"""RDFC-1.0 fixes over pyld: literal escaping and safe-mode / number / IRI refusals."""

from __future__ import annotations

import pytest

from credentials.canonical import DocumentRefused, canonicalize
from credentials.nquads import escape_literal
from tests.vc.samples import open_badge


def test_escapes_like_rdf_canonize():
    assert escape_literal('a"b\\c') == 'a\\"b\\\\c'
    assert escape_literal("\t\n\r\b\f") == "\\t\\n\\r\\b\\f"
    assert escape_literal("\x00\x01\x0b\x1f\x7f") == "\\u0000\\u0001\\u000B\\u001F\\u007F"
    assert escape_literal("\x85 é 😀") == "\x85 é 😀"


def test_control_characters_escaped_in_canonical_output():
    document = open_badge()
    document["credentialSubject"]["achievement"]["name"] = "x\by\fz\x01"
    assert '"x\\by\\fz\\u0001"' in canonicalize(document)


def test_canonical_form_is_stable_and_ascii_lines():
    document = open_badge()
    first = canonicalize(document)
    assert first == canonicalize(document)
    assert all(line.endswith(" .") for line in first.splitlines())


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("credentialSubject", "creditsEarned"), 2**53 + 1, "beyond 2"),
        (("credentialSubject", "creditsEarned"), 1e-7, "canonicalises differently"),
        (("credentialSubject", "creditsEarned"), float("nan"), "not finite"),
        (("credentialSubject", "achievement", "id"), "https://x.example/a b", "a b"),
        (("credentialSubject", "achievement", "id"), "relative/path", "relative @id"),
        (("credentialSubject", "notInAnyContext"), "x", "notInAnyContext"),
    ],
)
def test_unsafe_documents_refused(path, value, message):
    document = open_badge()
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(DocumentRefused, match=message):
        canonicalize(document)


def test_relative_type_refused_without_extensions_context():
    document = open_badge()
    document["@context"] = document["@context"][:2]
    document["credentialSchema"] = [
        {"id": "https://example.org/schema.json", "type": "1EdTechJsonSchemaValidator2019"}
    ]
    with pytest.raises(DocumentRefused, match="relative @type"):
        canonicalize(document)


def test_unpinned_context_refused():
    document = open_badge()
    document["@context"] = [*document["@context"], "https://evil.example/context.json"]
    with pytest.raises(DocumentRefused, match="not pinned"):
        canonicalize(document)
