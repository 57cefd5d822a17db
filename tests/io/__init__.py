"""Tests of specgroups.io, one file per module."""
