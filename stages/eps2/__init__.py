"""The eps2 profile's own stage (profiles/eps2/dvc.yaml): export."""
