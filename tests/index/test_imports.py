"""The core never pulls in Discord, and stays light to import."""

import subprocess
import sys


def test_importing_the_core_does_not_import_discord():
    code = (
        "import sys, index, index.engine, index.answer, index.search, index.store\n"
        "assert 'discord' not in sys.modules, 'discord imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_package_does_not_load_torch():
    code = "import sys, index\nassert 'torch' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True)
