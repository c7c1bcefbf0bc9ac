"""The canonical N-Quads are pyld's URDNA2015 over the whole document, byte for byte: on the official and
cross-implementation vectors and the edge cases, on generated CLRs (the same credential or definition twice, which
needs N-degree hashing, included), with the parts made now and kept from before; and the proof options written from a
kept template equal their canonical form made afresh."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import expansion_parts, rdf_parts, skeletons
from credentials.canonical import DocumentRefused, canonicalize, expand_checked
from credentials.data_integrity import canonical_options, proof_options
from credentials.expansion_parts import expand_split
from credentials.nquads import first_degree_hash
from credentials.rdf_parts import quads_in_parts
from tests.vc.reference import pyld_canonical
from tests.vc.samples import clr, open_badge, signed_open_badge

VECTORS = Path(__file__).parent / "vectors"
EDGE_CASES = json.loads((VECTORS / "cross-impl" / "edge-cases.json").read_text(encoding="utf-8"))["cases"]


def vector_documents() -> dict[str, Any]:
    found = {path.name: json.loads(path.read_text(encoding="utf-8"))
             for path in sorted(VECTORS.rglob("*.json")) if "@context" in path.read_text(encoding="utf-8")[:200]}
    found.update({f"edge case {case['case']}": case["unsigned"] for case in EDGE_CASES})
    return found


def _cold() -> None:
    expansion_parts.KEPT = expansion_parts._Kept()
    rdf_parts.KEPT = rdf_parts.Lru(rdf_parts.PART_QUADS_KEPT)
    skeletons.KEPT = skeletons.Lru(skeletons.TEMPLATES_KEPT)


def _same_as_pyld(document: dict[str, Any]) -> None:
    try:
        expected = pyld_canonical(document)
    except DocumentRefused:
        with pytest.raises(DocumentRefused):
            canonicalize(document)
        return
    assert canonicalize(document) == expected  # parts made now (or no parts)
    assert canonicalize(document) == expected  # parts kept


@pytest.mark.parametrize("name", list(vector_documents()))
def test_vectors_canonicalise_as_pyld_does(name: str) -> None:
    _cold()
    document = vector_documents()[name]
    _same_as_pyld(document)
    _same_as_pyld({key: value for key, value in document.items() if key != "proof"})


SLUGS = ("py-pipelines", "sql-modelling", "ml-ops")
badges = st.lists(st.tuples(st.sampled_from(SLUGS), st.sampled_from((7.5, 3.0, 15)), st.booleans()),
                  max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(badges, st.booleans())
def test_generated_clrs_canonicalise_as_pyld_does(chosen: list[tuple[str, float, bool]], cold: bool) -> None:
    if cold:
        _cold()
    chosen = [("py-pipelines", 7.5, False), ("sql-modelling", 7.75, True), *chosen]  # the CLR's associations' ends
    credentials = [(signed_open_badge if signed else open_badge)(slug, credits) for slug, credits, signed in chosen]
    _same_as_pyld(clr(credentials))


def test_a_credential_twice_needs_n_degree_hashes_and_still_matches() -> None:
    _cold()
    document = clr([open_badge("py-pipelines"), open_badge("sql-modelling"), open_badge("py-pipelines")])
    assert expand_split(document, expand_checked) is not None
    quads = quads_in_parts(document, expand_checked, _dataset)
    assert quads is not None
    mentions: dict[str, list[Any]] = {}
    for quad in quads:
        for term in (quad[0], quad[2], quad[3]):
            if term.startswith("_:"):
                mentions.setdefault(term, []).append(quad)
    hashes = [first_degree_hash(node, its) for node, its in mentions.items()]
    assert len(set(hashes)) < len(hashes)
    _same_as_pyld(document)


def _dataset(expanded: list[Any]) -> dict[str, Any]:
    from credentials.canonical import rdf_dataset
    return rdf_dataset(expanded)


@settings(max_examples=20, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)), st.sampled_from(SLUGS))
def test_proof_options_from_the_kept_template_equal_a_fresh_canonical_form(moment: datetime, slug: str) -> None:
    context = open_badge(slug)["@context"]
    options = proof_options("https://issuer.example.org/issuers/1#z6Mk", moment.replace(tzinfo=UTC), "assertionMethod")
    document = {"@context": context, **options}
    assert canonical_options(document) == canonicalize(document)


@pytest.mark.parametrize("created", ["2025-01-15T09:30:00Z", 'not "a" date\n', "1970-01-01T00:00:00Z"])
def test_proof_options_with_any_created_string_equal_a_fresh_canonical_form(created: str) -> None:
    options = proof_options("https://issuer.example.org/issuers/1#z6Mk", datetime.now(UTC) - timedelta(days=1),
                            "assertionMethod")
    document = {"@context": open_badge()["@context"], **options, "created": created}
    assert canonical_options(document) == canonicalize(document)


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.datetimes(min_value=datetime(1971, 1, 1)), st.booleans())
def test_clrs_of_one_template_canonicalise_as_pyld_does(position: int, moment: datetime, signed: bool) -> None:
    document = clr([open_badge("py-pipelines"), (signed_open_badge if signed else open_badge)("sql-modelling")])
    document["id"] = f"https://ler.example/v1/learners/7b89/clr/{position}"
    document["validFrom"] = moment.replace(tzinfo=UTC, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    _same_as_pyld(document)


@pytest.mark.parametrize("changed", [{"id": "urn:uuid:0c1d2e3f-0000-4000-8000-00000000c1a1"},
                                     {"validFrom": "2025-01-15"}, {"id": skeletons.ID_MARK},
                                     {"validFrom": skeletons.MOMENT_MARK}, {"name": skeletons.MOMENT_MARK}])
def test_clrs_whose_values_the_template_does_not_take_canonicalise_as_pyld_does(changed: dict[str, str]) -> None:
    document = {**clr([open_badge("py-pipelines"), open_badge("sql-modelling")]),
                "id": "https://ler.example/v1/learners/7b89/clr/1", "validFrom": "2025-01-15T09:30:00Z", **changed}
    _same_as_pyld(document)


def test_a_mark_inside_a_longer_term_is_not_written_over() -> None:
    quads = [("<https://x.example/a>", "<https://x.example/p>", f'"{skeletons.MOMENT_MARK} and more"', "")]
    assert skeletons._written(quads, {f'"{skeletons.MOMENT_MARK}"^^': '"2025-01-01T00:00:00Z"^^'}) is None
