"""How much a command logs beside its own progress: errors only, unless asked for more."""

from __future__ import annotations

import pytest

from moodmix.cli.app import log_level
from moodmix.settings import Settings


@pytest.mark.parametrize(
    ("verbose", "debug", "level"),
    [(False, False, "error"), (True, False, "info"), (False, True, "debug"), (True, True, "debug")],
)
def test_a_command_with_its_own_progress_logs_errors_only_unless_asked(
    verbose: bool, debug: bool, level: str
) -> None:
    assert log_level("playlist", Settings(), verbose=verbose, debug=debug) == level


def test_a_level_set_in_the_environment_wins_over_the_quiet_default() -> None:
    settings = Settings(log_level="warning")
    assert log_level("refine", settings, verbose=False, debug=False) == "warning"


def test_other_commands_log_at_the_configured_level() -> None:
    assert log_level("serve", Settings(), verbose=False, debug=False) == Settings().log_level
