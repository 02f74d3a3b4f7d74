"""`python -m bot bench`: hubbot's speed and memory on traffic-like questions, beside its peers.

See :mod:`bot.bench.command` for what a run does; the README's "Speed" section shows the figures.
The parent process imports only what it needs to orchestrate; each measurement runs in
:mod:`bot.bench.worker`.
"""
