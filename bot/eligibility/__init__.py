""""Am I eligible?": a step-by-step check of an entry's structured eligibility criteria.

Modelled on GOV.UK Smart Answers: the flow is defined by the knowledge base (each criterion's
``check``), the state is a small immutable value that fits in a Discord button's ``custom_id``,
and every step or outcome is plain data that the console renders as text and the Discord layer
as an embed with buttons.

* :mod:`bot.eligibility.state` — :class:`~bot.eligibility.state.FlowState` and its token encoding.
* :mod:`bot.eligibility.flow` — :func:`~bot.eligibility.flow.step`: state in, next question or outcome out.
* :mod:`bot.eligibility.render` — the plain-text rendering used by the console.

Nothing here imports discord.
"""
