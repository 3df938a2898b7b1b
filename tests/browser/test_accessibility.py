"""Automated accessibility check of the main pages with axe-core (WCAG 2.1 A and AA rules):
no serious or critical violation. Not the whole of accessibility — the keyboard journey and
the phone layout are checked in test_journeys.py — but it catches contrast, labels, names,
landmarks and language attributes on every page it is pointed at."""

from __future__ import annotations

import pytest

from .conftest import AXE, DESKTOP, WAITING, missing, sign_in

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/initiatives",
    "/initiatives?stage=design&sector=health",
    "/initiatives?sector=transport&stage=plan&maturity=integrated",  # no result
    "/initiatives/1",
    "/language/fr?next=/initiatives/2",
    "/no/such/page",
    "/export",
    "/api",
    "/sign-in",
]
# As a curator, who sees every page a submitter sees and the review queue; WAITING_ID is the
# record waiting for review (its pages show the workflow panel and the diff).
SIGNED_IN_PAGES = [
    "/",
    "/initiatives?q=services",
    "/my/initiatives",
    "/my/initiatives/new",
    "/review",
    "/account",
    "/initiatives/{waiting}",
    "/my/initiatives/{waiting}/edit",
    "/my/initiatives/{waiting}/history",
]


@pytest.fixture(scope="module")
def axe_page(browser, live_server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    # axe is injected as an inline script, which the site's CSP rightly refuses: bypass it here.
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def axe_curator(browser, live_server):
    if not AXE.exists():
        missing(f"axe-core is not at {AXE}: run `make browser-deps`")
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    sign_in(page, "curator")
    page.goto("/review")
    link = page.get_by_role("link", name=WAITING["title"])
    waiting = link.get_attribute("href").split("/")[2]
    yield page, waiting
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


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_page_has_no_serious_accessibility_violation(axe_curator, path):
    page, waiting = axe_curator
    path = path.format(waiting=waiting)
    assert page.goto(path).status == 200
    problems = serious_violations(page)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_form_sent_back_with_errors_has_no_serious_accessibility_violation(axe_curator):
    page, _ = axe_curator
    page.goto("/my/initiatives/new")
    page.get_by_label("Start year").fill("1850")
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_role("alert").is_visible()
    problems = serious_violations(page)
    assert not problems, "form with errors:\n" + "\n".join(problems)


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


FOCUS_RING = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const rgba = c => (c.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
    const luminance = ([r, g, b]) => {
        const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    let behind = [255, 255, 255];  // what the ring is drawn on: the nearest opaque background
    for (let n = el.parentElement; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c.length < 4 || c[3] > 0) { behind = c; break; }
    }
    const [a, b] = [luminance(rgba(style.outlineColor)), luminance(behind)];
    return {
        what: el === document.body ? 'body' : el.tagName.toLowerCase() +
              (el.id ? '#' + el.id : '') + ' ' +
              (el.textContent || el.name || '').trim().replace(/\\s+/g, ' ').slice(0, 30),
        width: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
        contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    };
}"""


@pytest.mark.parametrize(
    "path", ["/", "/initiatives?q=services", "/initiatives/4", "/sign-in", "/api"]
)
def test_keyboard_focus_is_visible_on_every_control(axe_page, path):
    """WCAG 2.4.7 and 1.4.11: each element reached with Tab shows a ring at least 2px wide with
    3:1 contrast against what surrounds it (axe does not check focus styles)."""
    axe_page.goto(path)
    seen: dict[str, dict] = {}
    for _ in range(40):
        axe_page.keyboard.press("Tab")
        ring = axe_page.evaluate(FOCUS_RING)
        if ring["what"] in seen:
            break
        seen[ring["what"]] = ring
    faint = [
        f"{r['what']}: {r['width']}px, contrast {r['contrast']:.1f}"
        for r in seen.values()
        if r["what"] != "body" and (r["width"] < 2 or r["contrast"] < 3)
    ]
    assert len(seen) >= 5
    assert not faint, f"{path}: focus hard to see on\n" + "\n".join(faint)
