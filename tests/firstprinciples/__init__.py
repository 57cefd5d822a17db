"""Tests of specgroups.firstprinciples, one file per module."""
