// Screenshot a run's report.html in headless Chromium (for the README's picture of the demo):
//   node scripts/screenshot-report.mjs [RUN_DIR=runs/demo] [OUT=docs/demo-report.png]
// Needs Chromium (bash scripts/ensure-chromium, or LANGSEG_CHROMIUM) and playwright-core (a dev dependency).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [runDir = 'runs/demo', out = 'docs/demo-report.png'] = process.argv.slice(2);
const report = resolve(runDir, 'report.html');
const executablePath = process.env.LANGSEG_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(report)) {
  console.error(`${report} does not exist: run \`npm run demo\` first (or pass the run folder)`);
  process.exit(1);
}
if (!existsSync(executablePath)) {
  console.error(`Chromium is not at ${executablePath}: run \`bash scripts/ensure-chromium\` or set LANGSEG_CHROMIUM`);
  process.exit(1);
}
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pathToFileURL(report).href);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
