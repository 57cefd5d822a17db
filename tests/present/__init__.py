"""Tests of specgroups.present, one file per module."""
