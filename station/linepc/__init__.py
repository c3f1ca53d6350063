"""The station on a line PC: its configuration file, backups and restores, the record's archive
and the health check plant IT runs (``mes-station doctor``)."""
