"""Ship the top-level `ui/` and `prompts/` folders inside the wheel.

They live at the repository root (where people look for them); an installed package finds them as
`copilot/ui` and `copilot/prompt_templates` (see `copilot.window.host.ui_dir`, `copilot.prompts`).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = {"ui": "ui", "prompts": "prompt_templates"}


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for source, target in ASSETS.items():
            if (root / source).is_dir():
                dest = Path(self.build_lib) / "copilot" / target
                shutil.copytree(root / source, dest, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithAssets})
