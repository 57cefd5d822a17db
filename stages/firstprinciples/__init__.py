"""The first-principles profile's stages (profiles/firstprinciples/dvc.yaml): module name = stage name."""
