#!/usr/bin/env node
// The `promethium` command. The TypeScript sources are bundled into dist/ by `npm run build` (run by `npm install`).
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(cli)) {
  console.error(
    'promethium: the app is not built yet (dist/cli.cjs is missing). Run `npm run build` in ' + path.dirname(__dirname),
  );
  process.exit(1);
}
require(cli);
