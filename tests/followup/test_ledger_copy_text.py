"""The import's COPY text (followup.ledger_writer.copy_text) is what psycopg's own row
formatting would send, escaping included; no database."""

import datetime
from decimal import Decimal

import pytest
from psycopg._copy_base import format_row_text
from psycopg.adapt import Transformer

from followup.ledger_writer import copy_text
from followup.models import LEDGER_COLUMNS

# Rows in LEDGER_COLUMNS order: import, object, activity, year, month, date, account,
# responsibility, activity code, voucher, text, amount, budget, line.
DAY = datetime.date(2023, 3, 10)
PLAIN = (7, 2, None, 2023, 3, DAY, "5410", "1234", "", "V1", 'Läkemedel "x"', Decimal("-1.50"), False, 12)  # noqa: E501  # fmt: skip
TRICKY = (7, 2, 5, 2023, 3, None, "5\\410", "12\t34", "A\n1", "V\r2", "\\N och \\.", Decimal("0.0"), True, 13)  # noqa: E501  # fmt: skip


def _psycopg(batch):
    transformer, out = Transformer(), bytearray()
    for row in batch:
        format_row_text(row, transformer, out)
    return bytes(out)


@pytest.mark.parametrize("batch", [[PLAIN], [TRICKY], [PLAIN, TRICKY, PLAIN], []])
def test_copy_text_is_psycopgs_row_format(batch):
    assert len(PLAIN) == len(LEDGER_COLUMNS)
    assert copy_text(batch).encode() == _psycopg(batch)
