"""Tests of specgroups.study, one file per module."""
