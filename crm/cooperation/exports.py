"""The budget's statements as tables, for French Excel (CSV) and XLSX."""

from flask_babel import gettext as _

from crm.base.money import euros


def statement_rows(edition, statement):
    """One company's statement: each line, what it paid and its share, then the balance."""
    headers = [_("Date"), _("Nature"), _("Libellé"), _("Montant de la ligne (€)"), _("Partage"),
               _("Payé ou reçu par la compagnie (€)"), _("Part de la compagnie (€)")]  # fmt: skip
    rows = [
        [p.entry.on, p.entry.kind, p.entry.label, euros(p.entry.amount_cents), p.entry.rule,
         euros(p.paid_cents), euros(p.share_cents)]
        for p in statement.parts
    ]  # fmt: skip
    rows += [
        [None, None, _("Total"), None, None, euros(statement.paid_cents), euros(statement.share_cents)],
        [None, None, _balance_label(statement), None, None, None, euros(abs(statement.balance_cents))],
        [None, None, _("Édition : %(name)s — compagnie : %(company)s", name=edition.name,
                       company=statement.company.name), None, None, None, None],
    ]  # fmt: skip
    return headers, rows


def all_rows(edition, found):
    """Every company's statement on one line each, then the totals (they add up to zero)."""
    headers = [_("Compagnie"), _("Payé (€)"), _("Part (€)"), _("Solde (€)"), _("Sens")]
    rows = [
        [s.company.name + (" (" + _("porteuse") + ")" if s.lead else ""), euros(s.paid_cents),
         euros(s.share_cents), euros(s.balance_cents), _balance_label(s)]
        for s in found.statements
    ]  # fmt: skip
    rows.append([
        _("Total"), euros(sum(s.paid_cents for s in found.statements)),
        euros(sum(s.share_cents for s in found.statements)),
        euros(sum(s.balance_cents for s in found.statements)), None,
    ])  # fmt: skip
    rows.append([_("Édition : %(name)s", name=edition.name), None, None, None, None])
    return headers, rows


def _balance_label(statement) -> str:
    if statement.balance_cents > 0:
        return _("à recevoir")
    if statement.balance_cents < 0:
        return _("à verser")
    return _("soldé")
