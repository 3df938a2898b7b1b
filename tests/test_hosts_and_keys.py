"""Absolute URLs from the configured base URL, unknown Host refused in production, and one
secret key per instance even when workers start at once (issue 20, finding 8)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from xml.etree import ElementTree as ET

import pytest

from registry import create_app
from registry.config import ConfigError, Settings

ATOM = "{http://www.w3.org/2005/Atom}"


def _make(instance, **settings):
    return create_app(
        {
            "instance_dir": instance,
            "database_url": f"sqlite:///{instance / 'registry.sqlite3'}",
            "index_dir": instance / "index",
            "secret_key": "test-secret",
            **settings,
        }
    )


def test_absolute_urls_come_from_the_base_url_not_the_host_header(instance, make_initiative):
    app = _make(instance, base_url="https://registry.example.org")
    make_initiative(target=app)
    client = app.test_client()
    evil = {"Host": "evil.example"}
    feed = ET.fromstring(client.get("/feed.atom", headers=evil).get_data())
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    hrefs += [e.text for e in feed.iter(f"{ATOM}id")]
    assert hrefs and all(h.startswith("https://registry.example.org/") for h in hrefs), hrefs
    spec = client.get("/api/v1/openapi.json", headers=evil).get_json()
    assert spec["servers"] == [{"url": "https://registry.example.org"}]
    listing = client.get("/api/v1/initiatives", headers=evil).get_json()
    urls = [item["url"] for item in listing["results"]]
    assert urls and all(u.startswith("https://registry.example.org/") for u in urls)
    exported = client.get("/export/initiatives.json", headers=evil).get_data(as_text=True)
    assert "evil.example" not in exported and "https://registry.example.org/" in exported
    page = client.get("/api", headers=evil).get_data(as_text=True)
    assert "evil.example" not in page
    app.extensions["registry"].engine.dispose()


def test_production_refuses_an_unknown_host(instance):
    app = _make(instance, base_url="https://registry.example.org", production=True)
    client = app.test_client()
    assert client.get("/", base_url="https://evil.example").status_code == 400
    assert client.get("/", base_url="https://registry.example.org").status_code == 200
    app.extensions["registry"].engine.dispose()
    extra = _make(
        instance, base_url="https://registry.example.org", production=True,
        trusted_hosts=["registry.example.org", "www.registry.example.org"],
    )  # fmt: skip
    www = extra.test_client().get("/", base_url="https://www.registry.example.org")
    assert www.status_code == 200
    extra.extensions["registry"].engine.dispose()


def test_production_needs_a_base_url(instance, monkeypatch):
    monkeypatch.delenv("REGISTRY_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="REGISTRY_BASE_URL"):
        Settings.from_env(instance_dir=instance, production=True, secret_key="k")
    with pytest.raises(ConfigError, match="REGISTRY_BASE_URL"):
        Settings.from_env(instance_dir=instance, base_url="registry.example.org", secret_key="k")


RACE = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from registry.config import Settings
    folders, start = sys.argv[1:-1], float(sys.argv[-1])
    keys = []
    for n, folder in enumerate(folders):  # every process on the same folder at the same moment
        while time.time() < start + n * 0.015:
            pass
        keys.append(Settings.from_env(instance_dir=Path(folder), database_url="sqlite://").secret_key)
    print(json.dumps(keys))
    """
)


def test_workers_starting_at_once_share_one_secret_key(tmp_path, monkeypatch):
    import time

    monkeypatch.delenv("REGISTRY_SECRET_KEY", raising=False)
    folders = [str(tmp_path / f"instance{n}") for n in range(300)]
    start = str(time.time() + 1.5)
    env = {k: v for k, v in __import__("os").environ.items() if k != "REGISTRY_SECRET_KEY"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, *folders, start],
            stdout=subprocess.PIPE,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(4)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    for n, keys in enumerate(zip(*results, strict=True)):
        assert len(set(keys)) == 1 and len(keys[0]) == 64, (folders[n], keys)
