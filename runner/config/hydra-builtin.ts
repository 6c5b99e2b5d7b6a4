// Hydra's own configs (its `pkg://hydra.conf` search-path entry), plus the options that nearly every Hydra
// project gets from plugins (colorlog logging, the Optuna sweeper) and our launchers. They are served as a
// read-only in-memory source that comes first on the search path, as in Hydra.

import { MemorySource } from './source.js';

const HYDRA_CONFIG = `defaults:
  - output: default
  - launcher: basic
  - sweeper: basic
  - help: default
  - hydra_help: default
  - hydra_logging: default
  - job_logging: default
  - callbacks: null
  - env: default
  - _self_

mode: null
searchpath: []
callbacks: {}
output_subdir: .hydra
overrides:
  hydra: []
  task: []
job:
  name: ???
  chdir: null
  override_dirname: ???
  id: ???
  num: ???
  config_name: ???
  env_set: {}
  env_copy: []
  config:
    override_dirname:
      kv_sep: '='
      item_sep: ','
      exclude_keys: []
runtime:
  version: ???
  version_base: ???
  cwd: ???
  config_sources: ???
  output_dir: ???
  choices: {}
verbose: false
`;

const OUTPUT_DEFAULT = `# @package hydra
run:
  dir: outputs/\${now:%Y-%m-%d}/\${now:%H-%M-%S}
sweep:
  dir: multirun/\${now:%Y-%m-%d}/\${now:%H-%M-%S}
  subdir: \${hydra.job.num}
`;

// Written with double-quoted one-line values (the same strings as Hydra's block scalars, trailing newline kept) so that the fast YAML
// path reads them and a short CLI call never loads the full YAML parser.
const HELP_DEFAULT = "app_name: \"${hydra.job.name}\"\nheader: \"${hydra.help.app_name} is powered by Hydra.\\n\"\nfooter: \"Powered by Hydra (https://hydra.cc)\\nUse --hydra-help to view Hydra specific help\\n\"\ntemplate: \"${hydra.help.header}\\n== Configuration groups ==\\nCompose your configuration from those groups (group=option)\\n\\n$APP_CONFIG_GROUPS\\n\\n== Config ==\\nOverride anything in the config (foo.bar=value)\\n\\n$CONFIG\\n\\n${hydra.help.footer}\\n\"\n";

const HYDRA_HELP_DEFAULT = "template: \"Hydra (${hydra.runtime.version})\\nSee https://hydra.cc for more info.\\n\\n== Flags ==\\n$FLAGS_HELP\\n\\n== Configuration groups ==\\nCompose your configuration from those groups (For example, append hydra/job_logging=disabled to command line)\\n\\n$HYDRA_CONFIG_GROUPS\\n\\nUse '--cfg hydra' to Show the Hydra config.\\n\"\nhydra_help: ???\n";

const HYDRA_LOGGING_DEFAULT = `version: 1
formatters:
  simple:
    format: '[%(asctime)s][HYDRA] %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    formatter: simple
    stream: ext://sys.stdout
root:
  level: INFO
  handlers:
  - console
loggers:
  logging_example:
    level: DEBUG
disable_existing_loggers: false
`;

const JOB_LOGGING_DEFAULT = `version: 1
formatters:
  simple:
    format: '[%(asctime)s][%(name)s][%(levelname)s] - %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    formatter: simple
    stream: ext://sys.stdout
  file:
    class: logging.FileHandler
    formatter: simple
    filename: \${hydra.runtime.output_dir}/\${hydra.job.name}.log
root:
  level: INFO
  handlers:
  - console
  - file
disable_existing_loggers: false
`;

const COLORLOG_HYDRA = `version: 1
formatters:
  colorlog:
    (): colorlog.ColoredFormatter
    format: '[%(cyan)s%(asctime)s%(reset)s][%(purple)sHYDRA%(reset)s] %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    formatter: colorlog
    stream: ext://sys.stdout
root:
  level: INFO
  handlers:
  - console
disable_existing_loggers: false
`;

const COLORLOG_JOB = `version: 1
formatters:
  simple:
    format: '[%(asctime)s][%(name)s][%(levelname)s] - %(message)s'
  colorlog:
    (): colorlog.ColoredFormatter
    format: '[%(cyan)s%(asctime)s%(reset)s][%(blue)s%(name)s%(reset)s][%(log_color)s%(levelname)s%(reset)s] - %(message)s'
    log_colors:
      DEBUG: purple
      INFO: green
      WARNING: yellow
      ERROR: red
      CRITICAL: red
handlers:
  console:
    class: logging.StreamHandler
    formatter: colorlog
    stream: ext://sys.stdout
  file:
    class: logging.FileHandler
    formatter: simple
    filename: \${hydra.runtime.output_dir}/\${hydra.job.name}.log
root:
  level: INFO
  handlers:
  - console
  - file
disable_existing_loggers: false
`;

const OPTUNA_SWEEPER = `sampler:
  _target_: optuna.samplers.TPESampler
  seed: null
  consider_prior: true
  prior_weight: 1.0
  consider_magic_clip: true
  consider_endpoints: false
  n_startup_trials: 10
  n_ei_candidates: 24
  multivariate: false
  warn_independent_sampling: true
_target_: hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper
direction: minimize
storage: null
study_name: null
n_trials: 20
n_jobs: 2
search_space: null
params: null
custom_search_space: null
`;

// Our launchers (DESIGN.md section 7). Keys follow Hydra's joblib and submitit launchers where they overlap.
const LOCAL_LAUNCHER = `_target_: bait.launchers.LocalLauncher
fail_fast: false
n_jobs: -1
gpus: null
stagger_s: 0.5
`;

const SSH_LAUNCHER = `_target_: bait.launchers.SSHLauncher
fail_fast: false
hosts: []
sync: true
poll_interval_s: 2.0
`;

const SLURM_LAUNCHER = `_target_: bait.launchers.SlurmLauncher
fail_fast: false
submitit_folder: \${hydra.sweep.dir}/.submitit/%j
timeout_min: 60
cpus_per_task: null
gpus_per_node: null
tasks_per_node: 1
mem_gb: null
nodes: 1
name: \${hydra.job.name}
partition: null
qos: null
comment: null
constraint: null
exclude: null
gres: null
cpus_per_gpu: null
gpus_per_task: null
mem_per_gpu: null
mem_per_cpu: null
account: null
signal_delay_s: 120
max_num_timeout: 0
additional_parameters: {}
array_parallelism: 256
setup: null
login_host: null
`;

export const BUILTIN_FILES: Record<string, string> = {
  'hydra/config.yaml': HYDRA_CONFIG,
  'hydra/output/default.yaml': OUTPUT_DEFAULT,
  'hydra/launcher/basic.yaml': '_target_: hydra._internal.core_plugins.basic_launcher.BasicLauncher\n',
  'hydra/launcher/local.yaml': LOCAL_LAUNCHER,
  'hydra/launcher/ssh.yaml': SSH_LAUNCHER,
  'hydra/launcher/slurm.yaml': SLURM_LAUNCHER,
  'hydra/sweeper/basic.yaml': '_target_: hydra._internal.core_plugins.basic_sweeper.BasicSweeper\nmax_batch_size: null\nparams: null\n',
  'hydra/sweeper/optuna.yaml': OPTUNA_SWEEPER,
  'hydra/help/default.yaml': HELP_DEFAULT,
  'hydra/hydra_help/default.yaml': HYDRA_HELP_DEFAULT,
  'hydra/hydra_logging/default.yaml': HYDRA_LOGGING_DEFAULT,
  'hydra/hydra_logging/disabled.yaml': 'version: 1\nroot:\n  level: ERROR\ndisable_existing_loggers: true\n',
  'hydra/hydra_logging/none.yaml': '# @package hydra.hydra_logging\n',
  'hydra/hydra_logging/colorlog.yaml': COLORLOG_HYDRA,
  'hydra/job_logging/default.yaml': JOB_LOGGING_DEFAULT,
  'hydra/job_logging/disabled.yaml': 'version: 1\nroot:\n  level: ERROR\ndisable_existing_loggers: true\n',
  'hydra/job_logging/none.yaml': '# @package hydra.job_logging\n',
  'hydra/job_logging/stdout.yaml':
    "version: 1\nformatters:\n  simple:\n    format: '[%(asctime)s][%(name)s][%(levelname)s] - %(message)s'\nhandlers:\n  console:\n    class: logging.StreamHandler\n    formatter: simple\n    stream: ext://sys.stdout\nroot:\n  level: INFO\n  handlers:\n  - console\ndisable_existing_loggers: false\n",
  'hydra/job_logging/colorlog.yaml': COLORLOG_JOB,
  'hydra/env/default.yaml': '',
  // What composition starts from when no primary config is named (only command-line additions).
  '_dummy_empty_config_.yaml': '',
};

export const BUILTIN_SOURCE = new MemorySource(BUILTIN_FILES);
