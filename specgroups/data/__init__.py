"""Where materials come from: the embedded first-principles results, the authors' files, any spectra table
(:mod:`specgroups.data.sources`), and how they become the learning problem (:mod:`specgroups.data.assemble`)."""

__all__ = ["assemble", "authors", "sources"]
