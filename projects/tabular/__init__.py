"""Reading the spreadsheets offices keep (XLSX, CSV in UTF-8 or GB18030) into clean rows."""
