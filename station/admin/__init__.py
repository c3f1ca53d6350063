"""User administration and the audit trail from the command line: ``mes-station user ...``
and ``mes-station audit show`` (``cli.register`` adds them to the station's parser)."""
