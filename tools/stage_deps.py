"""Every DVC stage's code deps, by construction: its stage module and each project file it runs.

A stage's command is ``python -m stages.<name>``; the files it runs are that module and, transitively,
every module of this project (``specgroups``, ``stages``) that it imports, anywhere in a module (also
inside functions), with the ``__init__.py`` of each package on the way, every module named in a string
(a worker started with ``python -m specgroups...``) and every non-Python file beside a module whose
name a string of that module spells (``figures.mplstyle``).

    python tools/stage_deps.py           # rewrite the code deps of every profile's dvc.yaml
    python tools/stage_deps.py --check   # list the stages whose declared code deps differ; exit 1 if any

Only code deps (paths under ``specgroups/`` or ``stages/``) are rewritten; data deps stay as they are.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ("dvc.yaml", "profiles/firstprinciples/dvc.yaml", "profiles/paper/dvc.yaml", "profiles/eps2/dvc.yaml")
PACKAGES = ("specgroups", "stages")
STAGE_COMMAND = re.compile(r"python -m (\S+)")


def is_code(path: str) -> bool:
    return path.split("/", 1)[0] in PACKAGES


def module_path(module: str, root: Path = ROOT) -> Path | None:
    """The file of a project module (``a.b`` -> a/b.py or a/b/__init__.py), None for any other module."""
    if module.split(".", 1)[0] not in PACKAGES:
        return None
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _with_packages(module: str) -> list[str]:
    """``a.b.c`` -> [a, a.b, a.b.c]: importing a module runs every package's __init__ above it."""
    parts = module.split(".")
    return [".".join(parts[: k + 1]) for k in range(len(parts))]


@lru_cache(maxsize=None)
def direct_requirements(path: Path, root: Path = ROOT) -> tuple[frozenset[str], frozenset[Path]]:
    """(project modules that the file at ``path`` imports or names, resource files it names)."""
    package_parts = list(path.relative_to(root).parts[:-1])  # the package a relative import starts from
    modules, resources = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package_parts[: len(package_parts) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            modules.add(base)
            modules.update(f"{base}.{alias.name}" for alias in node.names)  # `from a import b` may import module a.b
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"[A-Za-z_][\w.]*", node.value) and module_path(node.value, root):
                modules.add(node.value)
            if (
                re.fullmatch(r"[\w-]+\.\w+", node.value)
                and not node.value.endswith(".py")
                and (path.parent / node.value).is_file()
            ):
                resources.add(path.parent / node.value)
    found = {name for module in modules for name in _with_packages(module) if module_path(name, root)}
    return frozenset(found), frozenset(resources)


def code_deps(module: str, root: Path = ROOT) -> list[str]:
    """Repository-relative paths of every file ``python -m module`` runs or reads from the project's code."""
    seen: set[str] = set()
    files: set[Path] = set()
    pending = _with_packages(module)
    while pending:
        name = pending.pop()
        if name in seen or not module_path(name, root):
            continue
        seen.add(name)
        path = module_path(name, root)
        files.add(path)
        modules, resources = direct_requirements(path, root)
        files.update(resources)
        pending.extend(modules - seen)
    return sorted(path.relative_to(root).as_posix() for path in files)


def stage_module(command: str) -> str:
    match = STAGE_COMMAND.search(command)
    if not match:
        raise ValueError(f"not a `python -m <module>` stage command: {command!r}")
    return match.group(1)


def expected_deps(stage: dict, root: Path = ROOT) -> list[str]:
    """The stage's deps with its code deps replaced by :func:`code_deps` of its module (code first)."""
    data = [dep for dep in stage.get("deps", []) if not is_code(dep)]
    return code_deps(stage_module(stage["cmd"]), root) + data


def differences(dvc_yaml: Path, root: Path = ROOT) -> dict[str, tuple[list[str], list[str]]]:
    """{stage: (undeclared code files it runs, declared code files it does not run)} of one dvc.yaml."""
    import yaml

    found = {}
    for name, stage in yaml.safe_load(dvc_yaml.read_text())["stages"].items():
        declared = {dep for dep in stage.get("deps", []) if is_code(dep)}
        expected = set(code_deps(stage_module(stage["cmd"]), root))
        if declared != expected:
            found[name] = (sorted(expected - declared), sorted(declared - expected))
    return found


def rewrite(dvc_yaml: Path, root: Path = ROOT) -> list[str]:
    """Rewrite the code deps of every stage of ``dvc_yaml`` (comments kept, DVC's own YAML layout); the stages changed."""
    from dvc.utils.serialize import modify_yaml

    changed = list(differences(dvc_yaml, root))
    if changed:
        with modify_yaml(str(dvc_yaml)) as document:
            for name, stage in document["stages"].items():
                stage["deps"] = expected_deps(stage, root)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report differences")
    arguments = parser.parse_args(argv)
    status = 0
    for profile in PROFILES:
        path = ROOT / profile
        if arguments.check:
            for stage, (missing, extra) in differences(path).items():
                print(f"{profile}:{stage}: undeclared {missing}, declared but not run {extra}")
                status = 1
        else:
            for stage in rewrite(path):
                print(f"{profile}:{stage}: code deps rewritten")
    return status


if __name__ == "__main__":
    sys.exit(main())
