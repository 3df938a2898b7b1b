"""Images and PDF documents attached to initiatives.

`uploads` says what an upload must be and turns an accepted one into the bytes that are stored
(images decoded and re-encoded without their metadata, a thumbnail made once; PDFs parsed);
`reading` says which media the public and a record's managers see. The writes are actions
(`registry.actions.media`); docs/architecture.md, "Media", tells how media follow the workflow.
"""
