# GPAW build settings for a plain Debian machine (tools/install.sh installs its system libraries and points GPAW_CONFIG here).
# GPAW's setup compiles its C sources with the C++ driver here: the default
# compiler (gcc) fails on `#include <algorithm>` in its C++ parts.
compiler = "g++"
mpi = False
fftw = True
libraries += ["fftw3", "openblas"]  # noqa: F821 (name provided by GPAW's setup)
