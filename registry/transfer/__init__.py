"""Open data in bulk: reading and writing whole catalogues as CSV or JSON.

No Flask here, so the command line, the export routes and a future curator upload page share
the same code. Columns and field names are the contract's (`api.md`).
"""

LICENCE = {
    "name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "id": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
CITATION = (
    "Coproduction Registry: a catalogue of public-service coproduction initiatives. "
    "Data under CC BY 4.0. Retrieved {date} from {url}"
)
