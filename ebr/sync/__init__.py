"""The station's side of the sync with the central hub (``docs/sync-protocol.md``): the chain's
identity, the wire form of a run of events, the hub's signed receipts and the push client."""
