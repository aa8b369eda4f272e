#!/usr/bin/env python3
"""Real clients against taskkv: redis-cli (Debian's redis-tools 7.0.15) and
redis-py (Debian's python3-redis 4.3.4), plus the scenarios of the seed notes
(/work/shared/seeds): strings and keys (test_seeds.py), lists, hashes, sets
and sorted sets (test_seed_types.py, compared with redis-server).

    python3 tests/clients/run.py --server build/taskkv-server [-k name]

Each test_<name>(t) in tests/clients/test_*.py gets the shared taskkv server
after FLUSHALL (or one of its own); several run the same client session
against a reference redis-server 7.0.15 and compare the output. Uses the
harness and runner of tests/integration. Prints one line per test and a
closing line "clients: N passed, N failed, N skipped"; exits non-zero if any
test failed.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INTEGRATION = os.path.normpath(os.path.join(HERE, "..", "integration"))
sys.path.insert(0, INTEGRATION)

_spec = importlib.util.spec_from_file_location("integration_run", os.path.join(INTEGRATION, "run.py"))
integration_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(integration_run)

if __name__ == "__main__":
    sys.exit(integration_run.main(test_dir=HERE, suite="clients", doc=__doc__))
