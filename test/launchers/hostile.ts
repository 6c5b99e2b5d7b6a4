// Values that must reach a job unchanged and never run as shell, on every launcher.
export const HOSTILE = [
  "'; rm -rf ~'", '$(id)', '`id`', 'a b', ' lead', 'trail ', "it's", '"dq"', 'back\\slash', 'new\nline', '*', '~', '$HOME',
  '${PATH}', ';', '&&', '|', '>out', '<in', '!', '#hash', '\t', "''", "'\"'\"'", 'x=$(touch /tmp/bait-pwned)', '-n', '--', '',
  'ünïcødé ✓', '%s %n', 'a\\', "\\'",
];
