"""Tests that span the library: the scripts in tools/"""
