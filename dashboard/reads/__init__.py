"""The dashboard's reads, one module per thing read: `figures` (the overview's money figures
and the version of the data behind them), `todo` (Att göra on each user's start page),
`lists` (the drill-down lists behind the numbers)."""
