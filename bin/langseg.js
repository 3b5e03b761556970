#!/usr/bin/env node
// The `langseg` command. Runs the bundled CLI from dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/node/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('langseg: dist/ is missing; run `npm run build` (or `npm install`) in the langseg folder first');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
