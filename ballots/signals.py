"""Signals ballots sends for the apps above it (meetings), which ballots never imports.

`ballot_opened(sender=Ballot, ballot=...)` is sent inside the opening transaction, after the
electorate is frozen and the opening is in the ledger: a receiver may adjust the new Elector
rows (attendance, a deputy standing in) and record that in the ballot's ledger, and its
changes commit or roll back with the opening.
"""

from django.dispatch import Signal

ballot_opened = Signal()
