"""The server side of the sync protocol: push (checks, log, merge), pull, places, projections."""
