"""What rendering a description costs at the Markdown limits, beside an ordinary one.

    python -m bench.markdown [--reps 20]

Renders (HTML, then plain text, as a page view and a search hit do; the cache cleared before
each repetition) four texts and prints the median and worst CPU milliseconds
(`time.process_time`): a realistic description (the baseline), the same words with as many
link and image openers as `markdown.MAX_LINKS` allows, a text with as many emphasis markers as
`MAX_EMPHASIS` allows, and what the limits refuse (25,000 "![", which validation turns away
before any rendering) to show what they prevent.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from registry import markdown

from .realistic import RealisticCorpus


def _texts() -> dict[str, str]:
    ordinary = RealisticCorpus().record(0)["description"]
    words = re.sub(r"[\[\]*_`!]", "", ordinary * 40)[:45_000]  # only the markup added below
    step = len(words) // markdown.MAX_LINKS
    links = "".join(words[i * step : (i + 1) * step] + "![" for i in range(markdown.MAX_LINKS))
    step = len(words) // markdown.MAX_EMPHASIS
    emphasis = "".join(words[i * step : (i + 1) * step] + "*" for i in range(markdown.MAX_EMPHASIS))
    return {
        f"realistic description ({len(ordinary):,} chars)": ordinary,
        f"at the link limit ({len(links):,} chars, {markdown.MAX_LINKS} '[')": links,
        f"at the emphasis limit ({len(emphasis):,} chars)": emphasis,
        "refused: 25,000 '![' (50,000 chars)": "![" * 25_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    for label, text in _texts().items():
        refused = markdown.problem(text)
        costs = []
        for _ in range(args.reps if refused is None else 3):
            markdown.CACHE.clear()
            started = time.process_time()
            markdown.render(text)
            markdown.plain(text)
            costs.append((time.process_time() - started) * 1000)
        verdict = "accepted" if refused is None else "refused by validation"
        print(
            f"{label}: {verdict}; render + plain text median {statistics.median(costs):.1f} ms, "
            f"worst {max(costs):.1f} ms (CPU, {len(costs)} runs)"
        )


if __name__ == "__main__":
    main()
