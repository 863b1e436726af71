"""The ``moodmix`` command line: every Typer command, one module per command group.

    $ moodmix playlist "rainy Sunday, mellow acoustic" --offline
    $ moodmix serve --offline
    $ moodmix bench --quick

``app`` builds the Typer app and its ``main`` is the console script; ``offline`` starts the
embedded stand-in for every command with ``--offline``. Nothing outside this package imports it.
"""
