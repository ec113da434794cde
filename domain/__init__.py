"""Pure domain: models, events, the stage machine, the fold, matchmaking. No I/O, no clock."""
