"""English and French: every catalogue is complete and up to date, every page renders in both
languages, the switch is remembered, API errors and reference data speak the reader's language,
and a language is added by its catalogue alone.

When the completeness test fails: run `make messages`, translate the new entries of
translations/<language>/LC_MESSAGES/messages.po (no "fuzzy" left), run `make messages` again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from registry import actions, countries, vocab
from registry.db import write_session
from registry.messages import Message, translate
from registry.models import User

from .conftest import csrf_from
from .media_files import image, pdf
from .url_map import COMMON_SAMPLES, UnfillableRoute, method_of, routes, urls

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
# Every language's catalogue: each is held to the same checks, so a new one is complete too.
PO_FILES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
EACH_PO = pytest.mark.parametrize("po", PO_FILES, ids=lambda path: path.parents[1].name)
MO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo"
# The keywords of `make messages` (MESSAGE_KEYWORDS in the Makefile), besides Babel's defaults.
KEYWORDS = ("_l", "lazy_gettext", "msg")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def _code_messages() -> set:
    """Every msgid in the code and templates now, extracted as `make messages` does."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    keywords = {**DEFAULT_KEYWORDS, **dict.fromkeys(KEYWORDS)}
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message)
    return {m for m in found if m}


def _catalogue(path: Path):
    with open(path, "rb") as fh:
        return read_po(fh)


def test_the_makefile_extracts_with_the_same_keywords():
    makefile = (ROOT / "Makefile").read_text()
    line = next(ln for ln in makefile.splitlines() if ln.startswith("MESSAGE_KEYWORDS"))
    assert set(re.findall(r"-k (\w+)", line)) == set(KEYWORDS)


def test_catalogues_hold_every_message_of_the_code():
    in_code = _code_messages()
    for path in (POT, *PO_FILES):
        held = {m.id for m in _catalogue(path) if m.id}
        missing = sorted(map(str, in_code - held))
        stale = sorted(map(str, held - in_code))
        where = path.relative_to(ROOT)
        assert not missing, f"{where} lacks {missing[:10]}: run `make messages`"
        assert not stale, f"{where} has messages the code dropped {stale[:10]}"


def test_there_is_a_french_catalogue():
    assert TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po" in PO_FILES


@EACH_PO
def test_every_message_has_a_translation_with_the_same_placeholders(po):
    catalogue = _catalogue(po)
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    problems = []
    for m in catalogue:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
    assert not problems, "\n".join(problems)


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@EACH_PO
def test_the_compiled_catalogue_matches_the_po_file(po):
    with open(po.with_suffix(".mo"), "rb") as fh:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    written = {_key(m.id): _key(m.string) for m in _catalogue(po) if m.id and not m.fuzzy}
    assert compiled == written, "messages.mo is older than messages.po: run `make messages`"


@EACH_PO
def test_every_vocabulary_label_and_description_is_translated_in_the_catalogue(po):
    """Vocabulary texts are catalogue messages like any other: written in English in the code
    (the msgid), translated in translations/, compiled into the .mo that labels are read from."""
    language = po.parents[1].name
    catalogue = {m.id: m.string for m in _catalogue(po) if m.id}
    problems = []
    for vocabulary in vocab.VOCABULARIES.values():
        texts = [vocabulary.english]
        texts += [text for term in vocabulary.terms for text in (term.english, term.description)]
        for text in texts:
            if not isinstance(text, Message):
                problems.append(f"{vocabulary.name}: {text!r} is not marked with msg()")
            elif not catalogue.get(str(text)):
                problems.append(f"{vocabulary.name}: {text!r} has no translation")
            elif translate(text, language) != catalogue[str(text)]:
                problems.append(f"{vocabulary.name}: {text!r} is not compiled: make messages")
    assert not problems, "\n".join(problems)


# What a subprocess prints about the registry it imported: where from, which languages, a
# vocabulary label, and a page and the vocabularies' API in `language`.
PROBE = """
import json, sys
import registry
from registry import create_app
from registry.i18n import LANGUAGE_NAMES, LANGUAGES
from registry.vocab import MATURITY

language, instance = sys.argv[1], sys.argv[2]
app = create_app({"instance_dir": instance, "database_url": f"sqlite:///{instance}/r.sqlite3",
                  "index_dir": f"{instance}/index", "secret_key": "probe", "TESTING": True})
client = app.test_client()
client.set_cookie("lang", language)
page = client.get("/sign-in").get_data(as_text=True)
api = client.get("/api/v1/vocabularies").get_json()
print(json.dumps({
    "package": registry.__file__,
    "languages": list(LANGUAGES),
    "names": LANGUAGE_NAMES,
    "label": MATURITY.label("pilot", language),
    "api_labels": api["maturity"]["terms"][0]["label"],
    "page_language": f'<html lang="{language}">' in page,
    "page": page,
}))
"""


def _probe(site: Path, language: str, tmp_path: Path) -> dict:
    """Run PROBE with `site` first on the path (so `registry` comes from there)."""
    instance = tmp_path / f"instance-{language}"
    instance.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, language, str(instance)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_wheel_carries_the_compiled_catalogue_and_speaks_french(tmp_path):
    """Built and unpacked as pip would install it, the wheel runs in French with no build step:
    the compiled catalogue is inside the package, and the package finds it there."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("registry/translations/fr/LC_MESSAGES/messages.mo") == MO.read_bytes()
        archive.extractall(tmp_path / "site")
    found = _probe(tmp_path / "site", "fr", tmp_path)
    assert found["package"].startswith(str(tmp_path / "site"))
    assert found["languages"] == ["en", "fr"]
    assert found["label"] == "Projet pilote"
    assert found["api_labels"] == {"en": "Pilot", "fr": "Projet pilote"}
    assert found["page_language"] and "Se connecter" in found["page"]


def test_a_third_language_needs_only_its_catalogue(tmp_path):
    """A copy of the project with a German catalogue added, and no line of code changed,
    offers German in the switch, its pages, its vocabulary labels and the API."""
    site = tmp_path / "project"
    for folder in ("registry", "templates", "static", "translations"):
        shutil.copytree(ROOT / folder, site / folder, ignore=shutil.ignore_patterns("__pycache__"))
    german = Catalog(locale="de")
    german.add("Pilot", "Pilotprojekt")
    german.add("Sign in", "Anmelden")
    target = site / "translations" / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as fh:
        write_mo(fh, german)
    found = _probe(site, "de", tmp_path)
    assert found["package"].startswith(str(site))
    assert found["languages"] == ["en", "de", "fr"]
    assert found["names"] == {"en": "English", "de": "Deutsch", "fr": "Français"}
    assert found["label"] == "Pilotprojekt"
    assert found["api_labels"] == {"en": "Pilot", "de": "Pilotprojekt", "fr": "Projet pilote"}
    assert found["page_language"] and "Anmelden" in found["page"] and "Deutsch" in found["page"]


# --- Pages in both languages ----------------------------------------------------------------


@pytest.fixture
def site(app, users, make_owned):
    """A published record of each language, and a draft waiting for review."""
    published = make_owned(users["submitter"], status="published")
    french = make_owned(
        users["submitter"],
        status="published",
        title="Patrouilles citoyennes avec la police",
        summary="Des bénévoles et des agents parcourent le quartier ensemble.",
        language="fr",
        tags=["voisins"],
    )
    draft = make_owned(users["submitter"], status="submitted", title="Draft waiting for review")
    with write_session(app.extensions["registry"].engine) as s:  # the gallery and a document
        texts = {"alt": "A patrol", "credit": "Ville de Lyon", "licence": "cc_by"}
        media = actions.add_media(s, users["curator"], published, "image", image(), texts).id
        actions.add_media(s, users["curator"], published, "document", pdf(), {"title": "Report"})
    return {"published": published, "french": french, "draft": draft, "media": media}


def _samples(app, site) -> dict:
    from registry.models import Initiative

    with app.app_context():
        from registry.extensions import db

        slug = db().get(Initiative, site["published"]).slug
    ids = [str(site["published"]), str(site["french"]), str(site["draft"])]
    return {
        ("int", "initiative_id"): ids,
        ("string", "slug"): [slug],
        ("string", "code"): ["fr", "FR", "en"],
        **COMMON_SAMPLES,
        ("int", "media_id"): [str(site["media"])],
        ("int", "link_id"): ["1"],  # case records: a link (none may exist)
    }


def _walk(client, app, site, language: str) -> list[str]:
    """GET every route in `language` (chosen by cookie for French, by default for English)."""
    problems = []
    for rule in routes(app):
        if method_of(rule) != "GET":
            continue
        try:
            paths = list(urls(rule, _samples(app, site)))
        except UnfillableRoute as exc:
            problems.append(str(exc))
            continue
        for path in paths:
            client.delete_cookie("lang")  # /language/en on the way must not switch the walk
            if language == "fr":
                client.set_cookie("lang", "fr")
            response = client.get(path)
            # Also ends streamed exports cleanly; images and PDFs are bytes.
            body = response.get_data().decode("utf-8", "replace")
            if response.status_code >= 500:
                problems.append(f"{path}: {response.status_code}")
            is_page = response.mimetype == "text/html" and response.status_code < 300
            if is_page and f'<html lang="{language}">' not in body:
                problems.append(f"{path}: not <html lang={language}>")
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_renders_in_both_languages_for_visitors(app, client, site, language):
    assert not _walk(client, app, site, language)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_renders_in_both_languages_for_a_curator(app, site, sign_in, language):
    assert not _walk(sign_in("cur@registry.example"), app, site, language)


def test_key_pages_speak_french(client, site):
    client.set_cookie("lang", "fr")
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in home
    assert "Des services publics conçus avec celles et ceux qui les utilisent" in home
    assert "Initiatives publiées" in home and "Se connecter" in home
    catalogue = client.get("/initiatives").get_data(as_text=True)
    assert "2 initiatives" in catalogue and "Affiner" in catalogue and "Pertinence" in catalogue
    page = client.get(f"/initiatives/{site['published']}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Informations clés" in page and "Sécurité publique et prévention" in page
    assert "Rédigée en anglais" in page
    assert "Page introuvable" in client.get("/nowhere").get_data(as_text=True)
    bad = client.get("/initiatives?year_from=soon").get_data(as_text=True)
    assert "doit être un nombre entier" in bad
    assert "Télécharger" in client.get("/export").get_data(as_text=True)
    assert "Se connecter" in client.get("/sign-in").get_data(as_text=True)


def test_records_keep_their_language_and_say_which_it_is(client, site):
    page = client.get(f"/initiatives/{site['french']}", follow_redirects=True).get_data(
        as_text=True
    )
    assert '<html lang="en">' in page
    assert '<article class="initiative" lang="fr">' in page
    assert "Written in French" in page and "Patrouilles citoyennes" in page
    results = client.get("/initiatives").get_data(as_text=True)
    card = results[results.index("Patrouilles citoyennes") - 400 :]
    assert 'lang="fr"' in card[:500] and "Written in French" in card
    client.set_cookie("lang", "fr")
    english = client.get(f"/initiatives/{site['published']}", follow_redirects=True).get_data(
        as_text=True
    )
    assert '<article class="initiative" lang="en">' in english and "Rédigée en anglais" in english
    facets = client.get("/initiatives").get_data(as_text=True)
    assert "Anglais" in facets and "Français" in facets


def test_dates_and_numbers_follow_the_language(client, app, make_initiative):
    for n in range(3):
        make_initiative(title=f"Initiative number {n}")
    client.set_cookie("lang", "fr")
    page = client.get("/initiatives/1", follow_redirects=True).get_data(as_text=True)
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août")
    months += ("septembre", "octobre", "novembre", "décembre")
    assert any(f" {m} " in page for m in months)
    with app.test_request_context(headers={"Cookie": "lang=fr"}):
        from flask_babel import format_decimal

        assert format_decimal(12345) == "12\u202f345"


# --- The switch --------------------------------------------------------------------------------


def test_the_switch_sets_the_cookie_and_goes_back_to_the_same_page(client, site):
    page = "/initiatives?q=police&country=FR"
    html = client.get(page).get_data(as_text=True)
    assert "/language/fr?next=" in html  # a plain link: works without JavaScript
    response = client.get("/language/fr", query_string={"next": page})
    assert response.status_code == 302 and response.headers["Location"] == page
    assert "lang=fr" in response.headers["Set-Cookie"]
    assert '<html lang="fr">' in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "evil"],
)
def test_the_switch_never_sends_the_visitor_to_another_site(client, target):
    response = client.get("/language/fr", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_404(client):
    assert client.get("/language/de").status_code == 404


def test_the_switch_is_saved_in_the_account_and_follows_the_person(app, users, sign_in):
    person = sign_in("sub@lyon.example")
    html = person.get("/my/initiatives").get_data(as_text=True)
    assert 'action="/language/fr"' in html  # signed in: a form, so the account can change
    response = person.post(
        "/language/fr", data={"next": "/my/initiatives", "csrf_token": csrf_from(html)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my/initiatives"
    with write_session(app.extensions["registry"].engine) as s:
        assert s.get(User, users["submitter"].id).locale == "fr"
    # Another browser that says it prefers English: the account's choice wins.
    elsewhere = sign_in("sub@lyon.example")
    assert elsewhere.get_cookie("lang").value == "fr"
    page = elsewhere.get("/my/initiatives", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Mes initiatives" in page.get_data(as_text=True)


def test_the_account_language_wins_over_the_browser_without_a_cookie(app, users, sign_in):
    with write_session(app.extensions["registry"].engine) as s:
        actions.set_locale(s, users["curator"], "fr")
    curator = sign_in("cur@registry.example")
    curator.delete_cookie("lang")
    page = curator.get("/review", headers={"Accept-Language": "en-GB,en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "File de modération" in page.get_data(as_text=True)


def test_the_switch_without_a_csrf_token_changes_nothing(app, users, sign_in):
    person = sign_in("sub@lyon.example")
    assert person.post("/language/fr", data={"next": "/"}).status_code == 400
    with write_session(app.extensions["registry"].engine) as s:
        assert s.get(User, users["submitter"].id).locale is None


def test_the_browser_language_is_used_when_nothing_was_chosen(client):
    assert '<html lang="fr">' in client.get("/", headers=FR).get_data(as_text=True)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


# --- API and reference data --------------------------------------------------------------------


def test_api_errors_follow_accept_language_and_keep_their_codes(client, users, api_token):
    headers = {**api_token("sub@lyon.example"), **FR}
    invalid = client.post("/api/v1/initiatives", json={"title": "ab"}, headers=headers)
    assert invalid.status_code == 422
    error = invalid.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "certains champs ne sont pas valides"
    assert error["fields"]["title"] == ["doit comporter au moins 3 caractères"]
    assert error["fields"]["country"] == ["ce champ est obligatoire"]
    english = client.post(
        "/api/v1/initiatives", json={"title": "ab"}, headers=api_token("sub@lyon.example")
    )
    assert english.get_json()["error"]["message"] == "some fields are not valid"
    missing = client.get("/api/v1/initiatives/999", headers=FR).get_json()["error"]
    assert missing == {"code": "not_found", "message": "cette initiative n'existe pas"}
    bad = client.get("/api/v1/initiatives?year_from=soon", headers=FR).get_json()["error"]
    assert bad["code"] == "bad_parameter"
    assert bad["fields"]["year_from"] == ["doit être un nombre entier, et non 'soon'"]
    nowhere = client.get("/api/v1/nowhere", headers=FR).get_json()["error"]
    assert nowhere["code"] == "not_found" and "introuvable" in nowhere["message"]
    token = client.post("/api/v1/initiatives", json={}, headers={"Authorization": "Bearer x", **FR})
    assert token.get_json()["error"]["message"] == "le jeton d'accès n'est pas valide"


def test_the_api_ignores_the_interface_cookie(client):
    client.set_cookie("lang", "fr")
    error = client.get("/api/v1/initiatives/999").get_json()["error"]
    assert error["message"] == "no such initiative"


def test_form_errors_are_in_french(sign_in, users):
    person = sign_in("sub@lyon.example")
    person.set_cookie("lang", "fr")
    form = person.get("/my/initiatives/new").get_data(as_text=True)
    assert "Soumettre pour validation" in form and "Co-conception" in form
    response = person.post(
        "/my/initiatives/new",
        data={"csrf_token": csrf_from(form), "title": "ab", "start_year": "soon"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "doit comporter au moins 3 caractères" in html
    assert "Renseignez «\u00a0Résumé\u00a0»." in html and "Il y a un problème" in html
    assert "doit être une année en chiffres" in html


def test_country_names_and_vocabulary_labels_in_french(client, site):
    assert countries.name("DE", "fr") == "Allemagne"
    assert countries.name("GB", "en") == "United Kingdom"
    assert vocab.MATURITY.label("integrated", "fr") == "Intégré (généralisé)"
    client.set_cookie("lang", "fr")
    html = client.get("/initiatives").get_data(as_text=True)
    assert "France" in html and "Projet pilote" in html and "Sécurité publique" in html
    assert "Étape" in html and "Maturité" in html
