"""tools/plots_template.py: the offline page template `dvc plots show` fills."""

from __future__ import annotations

import importlib.util

import pytest

from specgroups import InputError
from tests.helpers import ROOT

spec = importlib.util.spec_from_file_location("plots_template", ROOT / "tools/plots_template.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


def fake_libraries(folder, source: str = "var x = 1;"):
    for package, build in tool.LIBRARIES:
        (folder / package / build).parent.mkdir(parents=True)
        (folder / package / build).write_text(f"/* {package} */ {source}")
    return folder


def test_the_libraries_are_inlined_in_order_with_dvc_renders_placeholders(tmp_path):
    page = tool.plots_template(fake_libraries(tmp_path, 'document.write("</script>");'))
    positions = [page.index(f"/* {package} */") for package, _ in tool.LIBRARIES]
    assert positions == sorted(positions)
    assert "{plot_divs}" in page and "{refresh_tag}" in page and "{scripts}" not in page
    assert '"<\\/script>"' in page and page.count("</script>") == 3


def test_a_library_holding_a_placeholder_or_a_missing_one_is_refused(tmp_path):
    with pytest.raises(InputError, match="plot_divs"):
        tool.plots_template(fake_libraries(tmp_path / "a", "var s = '{plot_divs}';"))
    with pytest.raises(InputError, match="install.sh"):
        tool.plots_template(tmp_path / "empty")


def test_the_installed_template_is_the_one_dvc_uses():
    config = (ROOT / ".dvc/config").read_text()
    assert "html_template = ../.venv/dvc-plots/template.html" in config
    installed = (ROOT / ".venv/dvc-plots/template.html").read_text()
    assert installed == tool.plots_template(ROOT / ".venv/dvc-plots/node_modules")
