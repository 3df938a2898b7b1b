"""The /api page (issue 19): grouped by resource, a curl example and a sample answer for every
operation, the guide of docs/api.md rendered (no raw Markdown), prose in the reader's language."""

from __future__ import annotations

import json
import re
from html import unescape


def test_every_operation_has_a_curl_example_and_a_sample_answer(client):
    page = client.get("/api").get_data(as_text=True)
    operations = re.findall(r'<section class="api-operation" id="(\w+)"', page)
    assert len(operations) >= 20
    for block in page.split('<section class="api-operation"')[1:]:
        assert "<h4>Example request</h4>" in block and "curl" in block
        assert "Sample answer" in block
    for sample in re.findall(r'<pre class="api-example"><code>([\[{].*?)</code></pre>', page, re.S):
        json.loads(unescape(sample))  # every sample answer and body is valid JSON


def test_the_page_is_grouped_by_resource_and_renders_the_guide(client):
    page = client.get("/api").get_data(as_text=True)
    titles = re.findall(r'<h2 id="group-\d+">([^<]+)</h2>', page)
    assert titles[:3] == ["Initiatives", "Review workflow", "Images and documents"]
    guide = page[page.index('id="guide"') :]
    assert "<table>" in guide and "<code>" in guide
    assert "`" not in re.sub(r"<(pre|code)>.*?</\1>", "", guide, flags=re.S)  # no raw Markdown


def test_the_api_page_speaks_french(client):
    client.set_cookie("lang", "fr")
    page = client.get("/api").get_data(as_text=True)
    assert "Exemple de requête" in page and "Rechercher et filtrer les initiatives publiées" in page
