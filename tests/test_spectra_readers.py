"""The dielectric readers never crash: a real vise JSON (MgSe, tests/fixtures) with any one field replaced by a
value of another JSON type is read or refused with InputError naming the file, by both read_dielectric and the
authors' archive reader."""

from __future__ import annotations

import json
import tarfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specgroups import InputError
from specgroups.data.authors import dielectric_from_archive
from specgroups.spectra import read_dielectric
from tests.helpers import ROOT

REAL = json.loads((ROOT / "tests/fixtures/MgSe_diele_func_data.json").read_text())
FIELDS = sorted(REAL) + ["directions"]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


def archive(path, document: dict) -> None:
    member = path.with_suffix(".json")
    member.write_text(json.dumps(document))
    with tarfile.open(path, "w:gz") as bundle:
        bundle.add(member, arcname="diele_func_data.json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_a_field_of_the_wrong_type_is_an_input_error_never_a_crash(tmp_path, field, value):
    document = {**REAL, field: value}
    plain, bundled = tmp_path / "diele.json", tmp_path / "material.tar.gz"
    plain.write_text(json.dumps(document))
    archive(bundled, document)
    for read, path in ((read_dielectric, plain), (dielectric_from_archive, bundled)):
        try:
            read(path)
        except InputError as error:
            assert str(path) in str(error)


@pytest.mark.parametrize(
    ("field", "value"),
    [("energies", 3.0), ("directions", 5), ("directions", [["xx"], "yy"]), ("diele_func_imag", "xx")],
)
def test_the_documents_that_crashed_the_readers(tmp_path, field, value):
    path = tmp_path / "diele.json"
    path.write_text(json.dumps({**REAL, field: value}))
    with pytest.raises(InputError, match=str(path)):
        read_dielectric(path)
