"""The coordinator's page on their own machine: upload, watch the solve, look at the week, download.

``rota serve`` runs it (see :mod:`rota.cli.web`); :func:`rota.web.app.create_app` builds the
Starlette application. The page adds no rules of its own: it reads with :mod:`rota.io`, solves
with :func:`rota.scheduler.solve.solve` in a child process, and shows and writes what
:mod:`rota.evaluate`, :mod:`rota.reports` and :mod:`rota.scenarios` work out.
"""
