"""Imports of the offices' own spreadsheets (issue 11): the engine (``base``), the jobs that check and
write an upload (``jobs``, run by the background worker through ``tasks``), and one importer per record."""
