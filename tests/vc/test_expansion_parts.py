"""A credential expanded in parts (embedded credentials and definitions kept once expanded) equals its expansion as a
whole, and its RDF dataset equals pyld's own `to_rdf`; a shape the parts do not fit is expanded as a whole."""

import copy

import pytest
from pyld import jsonld

from credentials import expansion_parts
from credentials.canonical import DocumentRefused, canonicalize, expand_checked, rdf_dataset
from credentials.expansion_parts import expand_in_parts
from tests.vc.samples import clr, open_badge, signed_clr, signed_open_badge


def documents() -> dict[str, dict]:
    signed = signed_clr()
    return {
        "signed CLR": signed,
        "CLR without its proof": {key: value for key, value in signed.items() if key != "proof"},
        "CLR of unsigned badges": clr([open_badge("py-pipelines"), open_badge("sql-modelling", 3.0),
                                       open_badge("py-pipelines")]),
        "open badge": signed_open_badge(),
    }


@pytest.mark.parametrize("name", list(documents()))
def test_parts_expand_as_the_whole_does_cold_and_kept(name, monkeypatch):
    monkeypatch.setattr(expansion_parts, "KEPT", expansion_parts._Kept())
    document = documents()[name]
    untouched = copy.deepcopy(document)
    whole = expand_checked(document)
    assert expand_in_parts(document, expand_checked) == whole  # parts expanded now
    calls = []

    def counted(part):
        calls.append(part)
        return expand_checked(part)

    assert expand_in_parts(document, counted) == whole  # parts kept from before: only the rest is expanded
    assert len(calls) == 1
    assert len(expansion_parts.KEPT.lru.items) > 0
    assert document == untouched
    assert rdf_dataset(whole) == jsonld.JsonLdProcessor().to_rdf(whole, {"produceGeneralizedRdf": False})


def test_kept_parts_are_not_changed_by_a_use():
    document = signed_clr()
    first = canonicalize(document)
    assert canonicalize(document) == first
    expanded = expand_in_parts(document, expand_checked)
    expanded[0].clear()
    assert expand_in_parts(document, expand_checked) == expand_checked(document)


def test_a_list_of_plain_values_or_an_unknown_term_falls_back_to_the_whole():
    document = clr([open_badge("py-pipelines"), open_badge("sql-modelling")])
    document["credentialSubject"]["identifier"] = ["a", "b"]  # not objects: no parts there
    assert expand_in_parts(document, expand_checked) == expand_checked(document)
    bad = clr([open_badge("py-pipelines"), open_badge("sql-modelling")])
    bad["credentialSubject"]["achievement"][0]["notATerm"] = "x"
    with pytest.raises(DocumentRefused):
        canonicalize(bad)
