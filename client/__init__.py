"""The client library: the one way people's programs (CLI, web app, demo) and the tests and
benchmarks start cases, act on them and read them. See :mod:`client.api` for the interface,
:mod:`client.local` for today's implementation (Temporal + ledger) and :mod:`client.errors` for
what can go wrong. Nothing here prints or knows about exit codes: callers translate.
"""
