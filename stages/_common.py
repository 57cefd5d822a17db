"""What every stage entry point shares: its profile (root folder, merged params) and InputError as exit 2."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Callable, TypeVar

from specgroups.errors import InputError
from specgroups.io.layout import ProfileLayout
from specgroups.io.params import profile_params, read_yaml_mapping, section_of, settings_from

Settings = TypeVar("Settings")


@dataclass(frozen=True)
class Profile:
    """A profile as a stage sees it: where its artifacts live and its params (the default's, overlaid)."""

    layout: ProfileLayout
    params: dict

    def section(self, name: str) -> dict:
        """The params section ``name`` as a mapping (for sections the library reads with its own ``from_params``)."""
        return section_of(self.params, name, self.layout.params)

    def settings(self, cls: type[Settings], section: str) -> Settings:
        """The params ``section`` as the typed settings ``cls``; InputError names a missing or wrong key."""
        return settings_from(cls, section_of(self.params, section, self.layout.params), section)


def stage_main(run: Callable[[Profile], str], description: str, overlay: bool = True) -> None:
    """Parse ``--profile``, run the stage, print its one-line summary; InputError -> one line on stderr, exit 2.
    ``overlay``: the profile's params overlay the default params.yaml; false for a pipeline of its own (the
    first-principles profile), whose params.yaml is read alone."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--profile", default=".", help="the profile's root folder (default: the repository, the default profile)"
    )
    arguments = parser.parse_args()
    try:
        layout = ProfileLayout.of(arguments.profile)
        params = profile_params(layout.root) if overlay else read_yaml_mapping(layout.params)
        summary = run(Profile(layout, params))
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    print(summary)
