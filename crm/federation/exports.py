"""The barometer as a table for spreadsheets: one line per figure, one column per network, the total."""

from flask_babel import gettext as _

from crm.base.geo import departement

LESS_THAN = "< 3"


def _text(cell, metric):
    if cell.state == "small":
        return LESS_THAN
    if cell.state == "not_shared":
        return _("non partagé")
    if metric.key == "median_days" and cell.value is not None:
        return round(cell.value, 1)
    return cell.value


def rows(barometer) -> tuple[list, list]:
    headers = [_("Année"), _("Catégorie"), _("Indicateur"), *(n.name for n in barometer.networks),
               _("Total des cellules affichées")]  # fmt: skip
    table = []
    for category, found in barometer.by_category():
        for row in found:
            table.append([barometer.year, category.label, row.metric.label,
                          *(_text(row.cells[n.id], row.metric) for n in barometer.networks),
                          _text(row.total, row.metric)])  # fmt: skip
    for group in barometer.map_groups:
        value = group.count if group.count is not None else LESS_THAN
        found = departement(group.label)
        label = found.label if found else group.label
        table.append([barometer.year, _("Représentations par département"), label,
                      *([""] * len(barometer.networks)), value])  # fmt: skip
    return headers, table
