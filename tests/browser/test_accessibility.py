"""Automated accessibility check of the main pages with axe-core (WCAG 2.1 A and AA rules):
no serious or critical violation. Not the whole of accessibility — the keyboard journey and
the phone layout are checked in test_journeys.py — but it catches contrast, labels, names,
landmarks and language attributes on every page it is pointed at."""

from __future__ import annotations

import pytest

from .conftest import AXE, DESKTOP, missing

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/initiatives",
    "/initiatives?stage=design&sector=health",
    "/initiatives?sector=transport&stage=plan&maturity=integrated",  # no result
    "/initiatives/1",
    "/language/fr?next=/initiatives/2",
    "/no/such/page",
]


@pytest.fixture(scope="module")
def axe_page(browser, live_server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    # axe is injected as an inline script, which the site's CSP rightly refuses: bypass it here.
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                            'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violation(axe_page, path):
    axe_page.goto(path)
    problems = serious_violations(axe_page)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_axe_does_report_a_real_violation(axe_page):
    """The check can fail: an image without text and a low-contrast line are reported."""
    axe_page.goto("/")
    axe_page.evaluate(
        """() => { const p = document.createElement('p'); p.textContent = 'faint';
                   p.className = 'axe-probe'; p.setAttribute('style', 'color:#eee');
                   document.querySelector('main').append(p);
                   const b = document.createElement('button'); main.append(b); }"""
    )
    problems = serious_violations(axe_page)
    assert any(p.startswith("color-contrast") for p in problems)
    assert any(p.startswith("button-name") for p in problems)
