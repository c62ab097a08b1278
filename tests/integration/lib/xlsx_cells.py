"""Reads an XLSX file with openpyxl (a reader independent of the server) and
prints its first sheet as JSON: the sheet name, the frozen cell, whether each
row is bold, and every row's values (dates as ISO text)."""
import datetime
import json
import sys

import openpyxl


def value(cell):
    v = cell.value
    if isinstance(v, datetime.datetime):
        if cell.number_format == 'yyyy-mm-dd':
            return v.date().isoformat()
        return v.replace(microsecond=0).isoformat() + 'Z'
    return v


book = openpyxl.load_workbook(sys.argv[1])
sheet = book.worksheets[0]
rows = [[value(c) for c in row] for row in sheet.iter_rows()]
bold = [bool(row[0].font and row[0].font.b) for row in sheet.iter_rows()]
print(json.dumps({'sheets': len(book.worksheets), 'name': sheet.title, 'freeze': sheet.freeze_panes,
                  'bold': bold, 'rows': rows}))
