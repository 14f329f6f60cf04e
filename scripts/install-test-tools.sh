#!/usr/bin/env bash
# Installs the tools the tests run but the project does not depend on, before any test starts (no
# test downloads anything): Node 22, the MCP Inspector and the MCP conformance suite, which need
# Node 22, into the npx cache. Their versions live in packages/prodmcp/package.json ("inspector")
# and packages/server/package.json ("conformance"), where the tests read them too.
# `npm test` runs this first (`npm run test:tools`); a warm cache makes it a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."
inspector_node=$(node -p 'require("./packages/prodmcp/package.json").inspector.node')
inspector_pkg=$(node -p 'require("./packages/prodmcp/package.json").inspector.package')
npx -y -p "$inspector_node" -p "$inspector_pkg" -c 'node --version && mcp-inspector --help >/dev/null'
conformance_node=$(node -p 'require("./packages/server/package.json").conformance.node')
conformance_pkg=$(node -p 'require("./packages/server/package.json").conformance.package')
npx -y -p "$conformance_node" -p "$conformance_pkg" -c 'node --version && conformance --help >/dev/null'
