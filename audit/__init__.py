"""Auditor tooling: verify the ledger, checkpoint it, rebuild cases as of a moment, replay, export."""
