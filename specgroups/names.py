"""Names chemists use: formulas written as salts are written, ChemEnv symbols spelled out."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from pymatgen.analysis.chemenv.coordination_environments.coordination_geometries import AllCoordinationGeometries
from pymatgen.core import Composition, Element
from pymatgen.util.string import formula_double_format

from specgroups.errors import InputError

# A cation at least this oxidised, beside other cations, is the centre of an oxoanion (V5+ in VO4 3-).
OXOANION_CENTRE_MIN_OXIDATION_STATE = 4


def chemical_formula(formula: str | Composition) -> str:
    """The reduced formula in the order chemists write salts: cations, then anions.

    Cations (positive oxidation state in pymatgen's first oxidation-state guess) come in
    order of Pauling electronegativity, except that the most oxidised cation, when it is at
    least +4 and other cations are present, is the oxoanion's centre and comes last among
    them; anions follow by electronegativity. So VAg3O4 is Ag3VO4, V2CdO6 is CdV2O6,
    Cs3Se4V is Cs3VSe4 and Cd2S2 is CdS. Without an oxidation-state guess (intermetallic-like
    compositions), pymatgen's reduced formula is used as it is.
    """
    try:
        composition = Composition(formula).reduced_composition
    except (ValueError, KeyError) as error:
        raise InputError(f"{formula!r}: not a chemical formula ({error})") from error
    unknown = [str(element) for element in composition.elements if not isinstance(element, Element)]
    if unknown:  # pymatgen reads unknown symbols as dummy species
        raise InputError(f"{formula!r}: not a chemical formula (no element {', '.join(unknown)})")
    guesses = composition.oxi_state_guesses(max_sites=-50)
    if not guesses:
        return composition.reduced_formula
    states = guesses[0]
    cations = [element for element in states if states[element] > 0]
    # the most oxidised cation; of two equally oxidised, the less electronegative (Zr4+ before Sn4+), so that the
    # order does not depend on the order of the input
    centre = (
        max(cations, key=lambda element: (states[element], -Element(element).X, element)) if len(cations) > 1 else None
    )
    if centre is not None and states[centre] < OXOANION_CENTRE_MIN_OXIDATION_STATE:
        centre = None

    def order(element: str) -> tuple:
        electronegativity = Element(element).X
        return (states[element] <= 0, element == centre, electronegativity, element)

    return "".join(f"{element}{formula_double_format(composition[element])}" for element in sorted(states, key=order))


@lru_cache(maxsize=None)
def _geometries() -> AllCoordinationGeometries:
    return AllCoordinationGeometries()


def environment_name(symbol: str) -> str:
    """A ChemEnv symbol spelled out, e.g. "O:6" -> "octahedron (O:6)"; unknown symbols are returned as they are."""
    try:
        name = _geometries().get_geometry_from_mp_symbol(symbol).name
    except (LookupError, ValueError, AttributeError):
        return symbol
    return f"{name.lower()} ({symbol})"


CHEMENV_SYMBOL = re.compile(r"(?<![\w:])([A-Z]{1,4}(?:_\d+)?:\d+(?:\.\d+)?)(?![\w:]|\.\d)")


def environments_named(texts: Iterable[str]) -> dict[str, str]:
    """Every ChemEnv symbol that occurs in ``texts`` (e.g. "V5+ T:4 isolated"), spelled out, in sorted order:
    for a report that spells each one out once."""
    symbols = {symbol for text in texts for symbol in CHEMENV_SYMBOL.findall(text)}
    return {symbol: environment_name(symbol) for symbol in sorted(symbols)}
