"""The reference central hub (``mes-station hub serve``): receives each station's chain, checks
every hash with the project's own chain code, keeps it insert-only on PostgreSQL and answers with
Ed25519-signed receipts (``docs/sync-protocol.md``). Stateless: any number of processes may
serve one database; pushes to one chain queue on that chain's row lock."""
