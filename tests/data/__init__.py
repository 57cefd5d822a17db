"""Tests of specgroups.data, one file per module."""
