"""Settings of one first-principles optics calculation (read from params.yaml)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from specgroups.errors import InputError

INTEGRATION_MODES = ("point", "tetrahedron")


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

    There are no defaults: every value comes from params (the first-principles profile's ``gpaw`` section, or
    ``electronic.gpaw``, which a test keeps equal to it).
    """

    xc: str
    plane_wave_cutoff_ev: float
    ground_state_kpoint_density: float
    optics_kpoint_density: float
    empty_bands_per_atom: int
    empty_band_tolerance: float
    min_transitions_complete_ev: float
    max_empty_band_rounds: int
    max_frequency_ev: float
    frequency_step_ev: float
    broadening_ev: float
    integration: str
    response_cutoff_ev: float
    metal_gap_threshold_ev: float
    max_scf_iterations: int

    def __post_init__(self) -> None:
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
