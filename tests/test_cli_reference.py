"""The README's CLI reference is the CLI's own --help (regenerate with `make docs`)."""

from pathlib import Path

from mediawatch.cli_reference import current_block, render

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_cli_reference_matches_help() -> None:
    block = current_block(README)
    assert block is not None, "README.md has no generated CLI reference block"
    assert block == render(), "README.md CLI reference is stale: run `make docs`"


def test_readme_starts_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8")[:3000]
    assert "make run" in head and "make test" in head
