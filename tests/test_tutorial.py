"""docs/tutorial.md is run as a doctest by pytest (see pyproject.toml); this makes sure no code
block escapes it: every fenced block must be a doctest session, so every line is executed and
its printed output checked."""
import re
from pathlib import Path

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"


def test_every_code_block_is_a_checked_doctest():
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w*)\n(.*?)```", text, re.S)
    assert len(blocks) >= 10
    for language, body in blocks:
        assert language == "pycon", f"a ```{language} block would not be run: {body[:60]!r}"
        first = body.lstrip().splitlines()[0]
        assert first.startswith(">>> "), f"a block does not start with >>>: {first!r}"


def test_the_tutorial_covers_what_it_promises():
    text = TUTORIAL.read_text(encoding="utf-8")
    for heading in ["## A 2-3-1 network", "## Transmitters and receivers",
                    "## Step 4", "## Step 5", "## The post's bug", "## Seeing the network",
                    "## MNIST"]:
        assert heading in text
    assert "gradient_check" in text and ".explain()" in text and "draw_network" in text
