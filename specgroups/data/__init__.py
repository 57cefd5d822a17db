"""Where materials come from: the embedded first-principles results, the authors' files, any spectra table
(:mod:`specgroups.data.sources`), a user's own data in the shapes the field keeps it (:mod:`specgroups.data.imports`),
and how they become the learning problem (:mod:`specgroups.data.assemble`)."""

__all__ = ["assemble", "authors", "imports", "sources"]
