"""specgroups: material groups from a spectrum-predicting graph neural network.

Reproduces Takahashi, Kumagai, Takamatsu & Oba, Adv. Intell. Discov. (2026),
doi:10.1002/aidi.202600007, and applies the method to any (structure, spectrum)
dataset.
"""

from specgroups.errors import InputError

__all__ = ["InputError", "__version__"]
__version__ = "0.1.0"
