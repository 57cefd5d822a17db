"""Tests that span the library: profiles, stages, DVC and the pipeline definition"""
