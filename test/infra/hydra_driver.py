# Composes many cases with real Hydra in one process, the way `python app.py --cfg job [--resolve]` does
# (Hydra.compose_config in RUN mode, get_sanitized_cfg, OmegaConf.resolve in place, OmegaConf.to_yaml), so
# that a differential test can drive thousands of cases without paying Python's start-up for each.
# stdin: one JSON object per line {"dir": <abs config dir>, "name": <config name or null>, "overrides": [...]};
# stdout: one JSON object per line, in order: {"error": "Type: message"} or {"job", "choices", "resolved" |
# "resolve_error"}.
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from hydra import version
from hydra._internal.hydra import Hydra
from hydra._internal.utils import create_config_search_path
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import OmegaConf


# As `@hydra.main(version_base=None)`: Hydra 1.3's semantics (without it, 1.1's compatibility rules apply).
version.setbase(None)


def compose(case):
    GlobalHydra.instance().clear()
    name = case["name"]
    hydra = Hydra.create_main_hydra2(task_name="app", config_search_path=create_config_search_path(case["dir"]))
    try:
        cfg = hydra.compose_config(config_name=name, overrides=list(case["overrides"]), run_mode=RunMode.RUN, with_log_configuration=False)
    except Exception as e:  # every failure is a result to compare, not a crash
        return {"error": f"{type(e).__name__}: {e}"}
    HydraConfig.instance().set_config(cfg)
    OmegaConf.set_readonly(cfg.hydra, None)
    out = {"choices": OmegaConf.to_yaml(cfg.hydra.runtime.choices)}
    job = hydra.get_sanitized_cfg(cfg, "job")
    out["job"] = OmegaConf.to_yaml(job)
    try:
        OmegaConf.resolve(job)
        out["resolved"] = OmegaConf.to_yaml(job)
    except Exception as e:
        out["resolve_error"] = f"{type(e).__name__}: {e}"
    return out


for line in sys.stdin:
    if not line.strip():
        continue
    try:
        result = compose(json.loads(line))
    except Exception as e:
        result = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
