#!/bin/sh
# expect: a test that expects nothing proves nothing
set -e
sh teacher/solutions/09.sh
python3 - <<'TEST'
path = "answers/9.test.yml"
text = open(path).read()
head = text[:text.index("        exp_samples:")]
open(path, "w").write(head + "        exp_samples: []\n")
TEST
