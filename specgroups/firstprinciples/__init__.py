"""The first-principles pipeline: GPAW settings, optics calculations, results on disk, validation, band edges."""
