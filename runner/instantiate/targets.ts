// The built-in `_target_` catalogue as plain data: names (ours and the ones BAIT's configs use: its Python module
// paths and Lightning's callback classes), documentation and parameters. It imports nothing, so the language
// server can offer completions and check arguments without loading TensorFlow.js; registry.ts attaches the
// constructors.

export type ParamType = 'int' | 'number' | 'bool' | 'str' | 'str?' | 'int?' | 'number?' | 'bool?' | 'any';

export interface TargetDoc {
  /** Our canonical name. */
  name: string;
  aliases: string[];
  kind: 'model' | 'module' | 'data' | 'callback';
  doc: string;
  params: Record<string, { type: ParamType; doc: string; required?: boolean }>;
}

const encoderParams = {
  ntoken: { type: 'int', doc: 'vocabulary size (at least the data\'s; usually ${data_config.vocab_size})' },
  input_shape: { type: 'int', doc: 'alias of ntoken, as BAIT\'s graph models call it' },
  d_model: { type: 'int', doc: 'embedding size' },
  dropout: { type: 'number', doc: 'dropout rate in [0, 1)' },
} as const;

export const TARGET_DOCS: TargetDoc[] = [
  {
    name: 'bait.models.PremiseSelection',
    aliases: ['models.premise_selection.premise_selection.PremiseSelection'],
    kind: 'model',
    doc: 'Premise selection: goal and premise embedding modules and a classifier on the pair; Adam with lr.',
    params: {
      goal_embedding_module: { type: 'any', doc: 'encoder for the goal (a _target_ node)', required: true },
      premise_embedding_module: { type: 'any', doc: 'encoder for the premise (a _target_ node)', required: true },
      classifier: { type: 'any', doc: 'bait.models.BinaryClassifier node', required: true },
      lr: { type: 'number', doc: 'Adam learning rate' },
      batch_size: { type: 'int', doc: 'accepted for BAIT; data_config.batch_size is used' },
    },
  },
  {
    name: 'bait.models.CrossAttentionSelection',
    aliases: [],
    kind: 'model',
    doc: 'Premise selection that reads goal and premise together: each token, marked shared or not, is soft-aligned to the other side, compared, pooled; a classifier scores both sides.',
    params: {
      ntoken: encoderParams.ntoken,
      d_model: { type: 'int', doc: 'token embedding size (classifier.input_shape is 2 * d_model)' },
      dropout: encoderParams.dropout,
      classifier: { type: 'any', doc: 'bait.models.BinaryClassifier node (input_shape: 2 * d_model)', required: true },
      lr: { type: 'number', doc: 'Adam learning rate' },
      batch_size: { type: 'int', doc: 'accepted for BAIT; data_config.batch_size is used' },
    },
  },
  {
    name: 'bait.models.MeanPoolEncoder',
    aliases: ['models.embedding_models.bag_of_words.MeanPoolEncoder'],
    kind: 'module',
    doc: 'Bag-of-words encoder: the mean of the token embeddings.',
    params: { ...encoderParams, embedding_dim: { type: 'int', doc: 'alias of d_model' },
      max_len: { type: 'int', doc: 'accepted for symmetry with the transformer; the data module truncates' } },
  },
  {
    name: 'bait.models.TransformerEncoder',
    aliases: ['models.embedding_models.transformer.transformer_encoder_model.TransformerWrapper'],
    kind: 'module',
    doc: 'Transformer encoder (post-norm layers, sinusoidal positions) mean-pooled over real tokens.',
    params: {
      ...encoderParams,
      nhead: { type: 'int', doc: 'attention heads (must divide d_model)' },
      nlayers: { type: 'int', doc: 'encoder layers' },
      d_hid: { type: 'int', doc: 'feed-forward width' },
      max_len: { type: 'int', doc: 'longest sequence accepted' },
      small_inner: { type: 'bool', doc: 'accepted for BAIT; no effect' },
    },
  },
  {
    name: 'bait.models.ConvEncoder',
    aliases: [],
    kind: 'module',
    doc: 'Convolutional encoder: token embeddings, a convolution over neighbouring tokens, ReLU, max over tokens.',
    params: {
      ...encoderParams,
      embedding_dim: { type: 'int', doc: 'token embedding size (default d_model)' },
      kernel_size: { type: 'int', doc: 'tokens each filter sees (odd, default 3)' },
    },
  },
  {
    name: 'bait.models.BinaryClassifier',
    aliases: ['models.embedding_models.gnn.formula_net.formula_net.BinaryClassifier'],
    kind: 'module',
    doc: 'Two-layer MLP on the concatenated goal and premise embeddings, one logit out.',
    params: {
      input_shape: { type: 'int', doc: 'embedding size of each side', required: true },
      hidden: { type: 'int', doc: 'hidden width (default input_shape)' },
      interaction: { type: 'bool', doc: 'also read goal*premise and |goal-premise| (default false)' },
      pair_features: { type: 'bool', doc: 'also read log lengths and shared-symbol counts of the pair (default false)' },
      context_features: { type: 'bool', doc: 'also read IDF overlap, usage history, kNN vote and listwise ranks of the pair, with a linear path to the logit (default false)' },
    },
  },
  {
    name: 'bait.models.GradientBoostedTrees',
    aliases: [],
    kind: 'model',
    doc: 'Gradient-boosted trees on the context features of each pair: one tree per training step, rounds_per_epoch trees between validations; checkpoints hold the trees.',
    params: {
      learning_rate: { type: 'number', doc: 'shrinkage of each tree (default 0.05)' },
      num_leaves: { type: 'int', doc: 'leaves per tree, grown best-first (default 15)' },
      max_depth: { type: 'int', doc: 'deepest leaf (default 64: num_leaves decides)' },
      min_child_samples: { type: 'int', doc: 'fewest training pairs in a leaf (default 20)' },
      min_child_weight: { type: 'number', doc: 'smallest hessian sum in a leaf (default 0.001)' },
      l2: { type: 'number', doc: 'L2 penalty on leaf values (default 1)' },
      min_split_gain: { type: 'number', doc: 'smallest gain worth a split (default 0)' },
      row_fraction: { type: 'number', doc: 'share of training pairs each tree sees, in (0, 1] (default 1)' },
      feature_fraction: { type: 'number', doc: 'share of features each tree may split on, in (0, 1] (default 1)' },
      max_bins: { type: 'int', doc: 'histogram bins per feature, 2-256 (default 255)' },
      rounds_per_epoch: { type: 'int', doc: 'boosting rounds (trees) per epoch, i.e. between validations (default 25)' },
      label_statistics: { type: 'bool', doc: 'also read symbol and sub-term log-odds of use learned from the training labels (default true)' },
      leave_out: { type: 'str', doc: 'what a training pair\'s label-derived features leave out: article (default: its whole Mizar article) or conjecture' },
      label_history: { type: 'str', doc: 'offline (default: no pair reads a held-out label) or chronological (each pair also reads the labels of its own Mizar article\'s earlier conjectures in library order, train then val then test, as MizAR40 evaluates)' },
      objective: { type: 'str', doc: 'binary (default: each pair\'s logistic loss) or list (which of a conjecture\'s candidates are used, given how many are)' },
      list_scores: { type: 'bool', doc: 'score a held-out pair by its probability of use given that its conjecture\'s list has the training share of used candidates (default false)' },
      co_listing: { type: 'bool', doc: 'also read whether the premise was a candidate of the most similar earlier goals (label-free; default false)' },
      symbol_chronology: { type: 'bool', doc: 'also read when the pair\'s symbols entered the library: label-free, earlier conjectures only (default false)' },
      co_use: { type: 'bool', doc: 'also read how often the premise was used together with the list\'s other candidates in training (default false)' },
      co_candidacy: { type: 'bool', doc: 'also read whether the premise shared earlier candidate lists with the list\'s other candidates (label-free; default false)' },
    },
  },
  {
    name: 'bait.data.PremiseDataModule',
    aliases: ['models.premise_selection.datamodule.PremiseDataModule'],
    kind: 'data',
    doc: 'Premise-selection pairs from data_config.data_options.dir (train/val .jsonl.gz and vocab.json).',
    params: { config: { type: 'any', doc: 'the data_config node', required: true } },
  },
  {
    name: 'bait.callbacks.ModelCheckpoint',
    aliases: ['lightning.pytorch.callbacks.ModelCheckpoint', 'pytorch_lightning.callbacks.ModelCheckpoint'],
    kind: 'callback',
    doc: 'Saves checkpoints (top k by monitor, last) under dirpath with a filename template.',
    params: {
      dirpath: { type: 'str?', doc: 'folder (default <run>/checkpoints)' },
      filename: { type: 'str?', doc: 'template like "{epoch}-{acc}"' },
      monitor: { type: 'str?', doc: 'metric that ranks checkpoints' },
      verbose: { type: 'bool', doc: 'print each save' },
      save_last: { type: 'bool?', doc: 'also keep a checkpoint named last' },
      save_top_k: { type: 'int', doc: 'k best to keep; 0 none; -1 all' },
      save_weights_only: { type: 'bool', doc: 'accepted; checkpoints always hold the full training state' },
      mode: { type: 'str', doc: 'min or max' },
      auto_insert_metric_name: { type: 'bool', doc: 'write {acc} as acc=0.81' },
      every_n_train_steps: { type: 'int?', doc: 'save every n optimizer steps' },
      every_n_epochs: { type: 'int?', doc: 'save every n epochs' },
      save_on_train_epoch_end: { type: 'bool?', doc: 'accepted; saves follow validation when it runs' },
      enable_version_counter: { type: 'bool', doc: 'accepted; clashes always get -v1, -v2' },
    },
  },
  {
    name: 'bait.callbacks.EarlyStopping',
    aliases: ['lightning.pytorch.callbacks.EarlyStopping', 'pytorch_lightning.callbacks.EarlyStopping'],
    kind: 'callback',
    doc: 'Stops training when the monitored metric stops improving.',
    params: {
      monitor: { type: 'str', doc: 'metric to watch', required: true },
      min_delta: { type: 'number', doc: 'smallest change that counts as improvement' },
      patience: { type: 'int', doc: 'checks without improvement before stopping' },
      verbose: { type: 'bool', doc: 'print decisions' },
      mode: { type: 'str', doc: 'min or max' },
      strict: { type: 'bool', doc: 'fail when the metric is missing' },
      check_finite: { type: 'bool', doc: 'stop on NaN/inf' },
      stopping_threshold: { type: 'number?', doc: 'stop once the metric is past this' },
      divergence_threshold: { type: 'number?', doc: 'stop once the metric is worse than this' },
      check_on_train_epoch_end: { type: 'bool?', doc: 'accepted; checks follow validation' },
    },
  },
  {
    name: 'bait.callbacks.LearningRateMonitor',
    aliases: ['lightning.pytorch.callbacks.LearningRateMonitor', 'pytorch_lightning.callbacks.LearningRateMonitor'],
    kind: 'callback',
    doc: 'Logs the learning rate as lr-Adam.',
    params: {
      logging_interval: { type: 'str?', doc: 'step, epoch or null (both)' },
      log_momentum: { type: 'bool', doc: 'also log beta1' },
      log_weight_decay: { type: 'bool', doc: 'accepted; Adam here has no weight decay' },
    },
  },
];
