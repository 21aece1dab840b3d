# Thin targets over tools/xrm.py, which does the actual set-up (PostgreSQL,
# Odoo 19.0 source, cached virtualenv). Pass options with ARGS="...".
PYTHON ?= python3
XRM = $(PYTHON) tools/xrm.py

.PHONY: run fresh test lint setup shell pot bench

run:  ## Odoo with demo data on http://localhost:8069 (admin / admin)
	$(XRM) run $(ARGS)

fresh:  ## same as run, starting over with a new demo database
	$(XRM) run --fresh $(ARGS)

test:  ## throwaway database, install with demo data, whole pytest suite
	$(XRM) test $(if $(ARGS),-- $(ARGS))

lint:  ## pre-commit: ruff, ruff-format, prettier, pylint-odoo
	$(XRM) lint

setup:  ## only prepare PostgreSQL, the Odoo source and the virtualenv
	$(XRM) setup

shell:  ## odoo shell on the demo database
	$(XRM) shell

pot:  ## regenerate xrm_relationship/i18n/xrm_relationship.pot
	$(XRM) pot

bench:  ## generated data at 10/30/100 %; times KPIs, health, dashboard; BENCHMARKS.md
	$(XRM) bench $(ARGS)

.PHONY: replica
replica:  ## a streaming hot standby of a primary of its own: reads on it, writes on the primary
	$(PYTHON) tools/replica/check_replica.py $(ARGS)
