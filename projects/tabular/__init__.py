"""Spreadsheets in and out: reading the ones offices keep (XLSX, CSV in UTF-8 or GB18030) into clean rows,
and writing exports that open in Excel with real numbers and dates."""
