"""The reference the canonicaliser is held to: pyld's own URDNA2015 over pyld's RDF of the whole document, with
RDFC-1.0 literal escaping (as rdf-canonize writes it)."""

from typing import Any

from pyld.canon import URDNA2015

from credentials.canonical import check_numbers, expand_checked, rdf_dataset
from credentials.nquads import serialize_quad


class Rdfc10(URDNA2015):  # type: ignore[misc]
    def canonical_nquads(self, dataset: dict[str, Any]) -> str:
        self.main(dataset, {"format": "application/n-quads"})
        return "".join(sorted(serialize_quad(quad) for quad in self.quads))

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            nquads = [serialize_quad(self._first_degree_copy(id_, quad)) for quad in info["quads"]]
            info["hash"] = self.hash_nquads(sorted(nquads))
        return str(info["hash"])

    def _first_degree_copy(self, id_: str, quad: dict[str, Any]) -> dict[str, Any]:
        return {key: component if key == "predicate" else self.modify_first_degree_component(id_, component, key)
                for key, component in quad.items()}


def pyld_canonical(document: dict[str, Any]) -> str:
    check_numbers(document)
    return Rdfc10().canonical_nquads(rdf_dataset(expand_checked(document)))
