"""What every CSV and XLSX export shares: cells that a spreadsheet never runs as formulas."""

#: Characters that make a spreadsheet read a cell as a formula (and tab/CR that some strip first).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell value that a spreadsheet shows as it is: text that would start a formula gets a
    leading apostrophe, `None` becomes empty text, numbers and dates stay what they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
