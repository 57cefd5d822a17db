"""Settings of one first-principles optics calculation (read from params.yaml)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from specgroups.errors import InputError

INTEGRATION_MODES = ("point", "tetrahedron")
# GPAW's iterative plane-wave eigensolvers that converge an empty-band run from its LCAO start (the names its
# ``eigensolver`` parameter takes); RMM-DIIS did not: K2PdSe2's eigenstate error grew to 10^3.5 in 57 iterations
EIGENSOLVERS = ("davidson", "ppcg")


@dataclass(frozen=True)
class OpticsSettings:
    """PBE ground state -> empty bands -> independent-particle dielectric function.

    k-point densities are in points per reciprocal angstrom (ASE's convention:
    a lattice vector of length a gets about 2 pi a density points along it).
    ``empty_band_tolerance`` is GPAW's eigenstate criterion (eV^2 per valence
    electron) for the non-self-consistent run; GPAW's default, 4e-8, doubles
    its cost for no visible change in the spectrum.

    ``empty_bands_per_atom`` is the first guess; while the highest converged
    band lies less than ``min_transitions_complete_ev`` above the VBM (so some
    transitions below that energy would be missing, as with heavy cations
    whose semicore states take the bands), the empty-band run is repeated with
    1.5 times the bands, at most ``max_empty_band_rounds`` runs in all.

    Cells of at most ``small_cell_max_sites`` sites get their spectrum on the denser
    ``small_cell_optics_kpoint_density``: their few bands give sharp interband features that point
    integration resolves only on dense grids (data/demo/README.md, Convergence). The GLLB-SC band edges
    and the localisation's optics mesh stay on ``optics_kpoint_density``.

    ``empty_band_eigensolver`` is GPAW's iterative eigensolver (:data:`EIGENSOLVERS`) of every non-self-consistent
    run (the empty bands, the GLLB-SC band edges, the localisation's bands): each converges the same states to
    ``empty_band_tolerance``, so it decides the CPU time, not the result. GPAW 26's default, PPCG, took 1.54x
    Davidson's CPU time on MgO, K2PdSe2 and MgCrO4 (1.44x for K2PdSe2's 72 bands, 1.87x for MgCrO4's 108; every
    converged eigenvalue within 2.3e-6 eV of Davidson's: ``benchmarks/eigensolvers.json``).

    ``setups`` names GPAW's non-default PAW datasets by element (``{"Cr": "14"}``:
    the 14-electron Cr dataset with 3s3p semicore states); every other element
    uses GPAW's default dataset.

    There are no defaults: every value comes from params (the first-principles profile's ``gpaw`` section, or
    ``electronic.gpaw``, which a test keeps equal to it).
    """

    xc: str
    plane_wave_cutoff_ev: float
    ground_state_kpoint_density: float
    optics_kpoint_density: float
    small_cell_max_sites: int
    small_cell_optics_kpoint_density: float
    empty_bands_per_atom: float
    empty_band_tolerance: float
    empty_band_eigensolver: str
    min_transitions_complete_ev: float
    max_empty_band_rounds: int
    max_frequency_ev: float
    frequency_step_ev: float
    broadening_ev: float
    integration: str
    response_cutoff_ev: float
    metal_gap_threshold_ev: float
    max_scf_iterations: int
    setups: dict[str, str]

    def __post_init__(self) -> None:
        if not isinstance(self.setups, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.setups.items()
        ):
            raise InputError(
                f"params: setups must map element symbols to GPAW setup names (e.g. {{Cr: '14'}}), got {self.setups!r}"
            )
        if self.empty_band_eigensolver not in EIGENSOLVERS:
            raise InputError(
                f"params: empty_band_eigensolver must be one of {EIGENSOLVERS}, got {self.empty_band_eigensolver!r}"
            )
        if self.integration not in INTEGRATION_MODES:
            raise InputError(f"params: integration must be one of {INTEGRATION_MODES}, got {self.integration!r}")
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type in ("float", "int") and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise InputError(f"params: {field.name} must be a number, got {value!r}")
            if field.type in ("float", "int") and value <= 0:
                raise InputError(f"params: {field.name} must be positive, got {value!r}")

    @classmethod
    def from_params(cls, params: dict) -> "OpticsSettings":
        known = {field.name for field in fields(cls)}
        unknown, missing = sorted(set(params) - known), sorted(known - set(params))
        if unknown or missing:
            raise InputError(f"params: first-principles settings unknown {unknown}, missing {missing}")
        return cls(**params)

    def as_dict(self) -> dict:
        return asdict(self)

    def setups_for(self, elements: set[str]) -> dict[str, str]:
        """The non-default setups that apply to a material of these elements."""
        return {element: name for element, name in sorted(self.setups.items()) if element in elements}

    def spectrum_kpoint_density(self, nsites: int) -> float:
        """The optics k-point density (points per 1/angstrom) of the spectrum of a cell of ``nsites`` sites."""
        return (
            self.small_cell_optics_kpoint_density if nsites <= self.small_cell_max_sites else self.optics_kpoint_density
        )

    def record(self, elements: set[str], spectrum_sites: int | None = None) -> dict:
        """The settings as a material's result records them: ``setups`` cut down to its elements; for a
        spectrum of a cell of ``spectrum_sites`` sites, ``optics_kpoint_density`` is the one its spectrum uses
        (:meth:`spectrum_kpoint_density`)."""
        record = {**self.as_dict(), "setups": self.setups_for(elements)}
        if spectrum_sites is not None:
            record["optics_kpoint_density"] = self.spectrum_kpoint_density(spectrum_sites)
        return record


# Settings that change a finished result. The others decide only how many empty bands a run uses
# (checked by transitions_complete_to_ev), how its states are found (to the same tolerance), when the SCF
# gives up, or when a gap counts as metallic.
RESULT_SETTINGS = (
    "xc",
    "plane_wave_cutoff_ev",
    "ground_state_kpoint_density",
    "optics_kpoint_density",
    "empty_band_tolerance",
    "max_frequency_ev",
    "frequency_step_ev",
    "broadening_ev",
    "integration",
    "response_cutoff_ev",
    "setups",
)


def stale_settings(recorded: dict, expected: dict) -> list[str]:
    """The result settings (:data:`RESULT_SETTINGS`) in which a recorded result's differ from ``expected``
    (what the present settings would record, e.g. :meth:`OpticsSettings.record`).

    A result recorded before ``setups`` existed used GPAW's defaults (``{}``).
    """
    recorded = {"setups": {}, **recorded}
    return [name for name in RESULT_SETTINGS if recorded.get(name) != expected[name]]
