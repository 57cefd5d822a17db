"""Tests of specgroups.analysis, one file per module."""
