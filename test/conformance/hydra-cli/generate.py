# Regenerates the hydra-cli conformance cases: what real Hydra 1.3.2 prints for `--cfg job|hydra [--resolve]`
# (or the error it stops with) on small config trees written below. Run with the test venv's python:
#   .cache/venv/bin/python test/conformance/hydra-cli/generate.py
# Each case is run as Hydra's own command line, from a script named after the config (Hydra takes
# `hydra.job.name` from the script; BAIT takes it from the config name). `${now:...}` is frozen. Absolute
# paths in the output become <CWD> and <CONFIG_DIR>.
import json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXED_NOW = "2024-01-02T03:04:05"

DRIVER = """
import datetime as _dt
import hydra.core.utils as _u
class _Fixed(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _dt.datetime.fromisoformat(%r)
_u.datetime = _Fixed
import hydra
@hydra.main(version_base=None, config_path=None)
def main(cfg):
    pass
main()
""" % FIXED_NOW

GROUPS = {
    "config.yaml": "defaults:\n  - db: mysql\n  - server: apache\n  - _self_\nx: 1\n",
    "db/mysql.yaml": "host: localhost\nport: 3306\n",
    "db/postgres.yaml": "host: pg\nport: 5432\n",
    "server/apache.yaml": "defaults:\n  - site: fb\n  - _self_\nname: apache\n",
    "server/site/fb.yaml": "url: fb.com\n",
    "server/site/google.yaml": "url: google.com\n",
}

NULL_DEFAULT = {
    "config.yaml": "defaults:\n  - logger: null\n  - _self_\nx: 1\n",
    "logger/csv.yaml": "save_dir: logs\n",
    "logger/tb.yaml": "log_dir: tb\n",
}

RUNTIME = {
    "config.yaml": (
        "work_dir: ${hydra:runtime.cwd}\n"
        "data_dir: ${hydra:runtime.cwd}/data\n"
        "sources: ${hydra:runtime.config_sources}\n"
        "output_dir: ${hydra:runtime.output_dir}\n"
        "name: ${hydra:job.name}\n"
        "choice: ${hydra:runtime.choices}\n"
    ),
}

MISSING = {
    "config.yaml": (
        "m: ???\n"
        "y: ${m}\n"
        "z: a_${m}\n"
        "nested:\n  n: ???\n  ref: ${.n}\n"
        "deep: ${nested.ref}\n"
        "ok: ${x}\n"
        "x: 1\n"
    ),
}

CASES = [
    # name, files, config_name, args
    ("cfg_hydra_default", GROUPS, "config", ["--cfg", "hydra"]),
    ("cfg_hydra_resolve", GROUPS, "config", ["--cfg", "hydra", "--resolve"]),
    ("cfg_hydra_overrides", GROUPS, "config", ["--cfg", "hydra", "db=postgres", "hydra.job.chdir=true", "server/site=google", "+extra=1"]),
    ("cfg_hydra_choices_nested", GROUPS, "config", ["--cfg", "hydra", "--package", "hydra.runtime.choices"]),
    ("cfg_all", GROUPS, "config", ["--cfg", "all", "db.port=1"]),
    ("runtime_values_resolved", RUNTIME, "config", ["--cfg", "job", "--resolve"]),
    ("runtime_values_unresolved", RUNTIME, "config", ["--cfg", "job"]),
    ("resolve_missing_prints_missing", MISSING, "config", ["--cfg", "job", "--resolve"]),
    ("resolve_missing_package", MISSING, "config", ["--cfg", "job", "--resolve", "--package", "nested"]),
    ("group_null_override_fails", NULL_DEFAULT, "config", ["--cfg", "job", "logger=null"]),
    ("group_int_override_fails", GROUPS, "config", ["--cfg", "job", "db=1"]),
    ("group_delete_int_fails", GROUPS, "config", ["--cfg", "job", "~db=1"]),
    ("delete_null_default", NULL_DEFAULT, "config", ["--cfg", "job", "~logger"]),
    ("delete_null_default_hydra", NULL_DEFAULT, "config", ["--cfg", "hydra", "--package", "hydra.runtime.choices", "~logger"]),
    ("null_default_chosen", NULL_DEFAULT, "config", ["--cfg", "job", "logger=csv"]),
    ("null_default_append_conflict", NULL_DEFAULT, "config", ["--cfg", "job", "+logger=csv"]),
    ("delete_group_choices", GROUPS, "config", ["--cfg", "hydra", "--package", "hydra.runtime.choices", "~server"]),
]


def run_case(name, files, config_name, args):
    out_dir = os.path.join(HERE, name)
    shutil.rmtree(out_dir, ignore_errors=True)
    cfg_dir = os.path.join(out_dir, "configs")
    for path, text in files.items():
        p = os.path.join(cfg_dir, path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    with tempfile.TemporaryDirectory() as cwd:
        script = os.path.join(cwd, config_name.split("/")[-1] + ".py")
        with open(script, "w") as f:
            f.write(DRIVER)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HYDRA_")}
        p = subprocess.run([sys.executable, script, "-cd", cfg_dir, "-cn", config_name, *args],
                           cwd=cwd, capture_output=True, text=True, env=env)
        real_cwd = os.path.realpath(cwd)

    def scrub(s):
        return s.replace(cfg_dir, "<CONFIG_DIR>").replace(real_cwd, "<CWD>").replace(cwd, "<CWD>")

    case = {"kind": "cli", "config_name": config_name, "args": args, "fixed_now": FIXED_NOW}
    if p.returncode == 0:
        case["expected_stdout"] = scrub(p.stdout)
    else:
        last = [l for l in p.stderr.strip().splitlines() if l.strip()]
        case["expected_error"] = next((l for l in reversed(last) if "Error" in l or "Could not" in l or "Multiple" in l), last[-1] if last else "")
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(case, f, indent=2)
        f.write("\n")


for c in CASES:
    run_case(*c)
print(f"{len(CASES)} cases written to {HERE}")
