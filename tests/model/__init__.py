"""Tests of specgroups.model, one file per module."""
