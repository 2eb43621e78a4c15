// Drives Debian's Chromium over the verification page of `eds serve` (tests/web_page.rs runs
// this script and checks what it prints).
//
//   node verify_page.mjs --url http://127.0.0.1:PORT --out DIR CASE=FILE [CASE=FILE ...]
//
// For each CASE it opens the form at `/`, chooses FILE as the signature, submits, reads the
// banner (#verdict), the signer's IIN (#signer-iin) and the first heading, and saves a full-page screenshot as
// DIR/CASE.png (the form itself as DIR/form.png). It prints one JSON object:
//
//   {"form": {...}, "cases": {"CASE": {"status", "heading", "verdict", "iin", "screenshot"}, ...},
//    "outside_requests": [...]}
//
// `outside_requests` lists every request the page made to another origin: the page must need
// nothing but the server (no fonts, scripts or images from elsewhere).

import { chromium } from 'playwright-core';
import path from 'node:path';
import fs from 'node:fs';

function parseArgs(argv) {
  const args = { cases: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') args.url = argv[++i];
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--chromium') args.chromium = argv[++i];
    else if (a.includes('=')) {
      const at = a.indexOf('=');
      args.cases.push([a.slice(0, at), a.slice(at + 1)]);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!args.url || !args.out || args.cases.length === 0) {
    throw new Error('usage: verify_page.mjs --url URL --out DIR CASE=FILE...');
  }
  return args;
}

async function text(page, selector) {
  const el = await page.$(selector);
  return el ? (await el.textContent()).trim() : null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  const origin = new URL(args.url).origin;
  const browser = await chromium.launch({
    executablePath: args.chromium || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const result = { form: {}, cases: {}, outside_requests: [] };
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('about:')) {
        result.outside_requests.push(url);
      }
    });
    const form = await page.goto(`${args.url}/`);
    result.form = {
      status: form.status(),
      title: await page.title(),
      screenshot: path.join(args.out, 'form.png'),
    };
    await page.screenshot({ path: result.form.screenshot, fullPage: true });
    for (const [name, file] of args.cases) {
      await page.goto(`${args.url}/`);
      await page.setInputFiles('#signature', file);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('button[type=submit]'),
      ]);
      const shot = path.join(args.out, `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      result.cases[name] = {
        status: response ? response.status() : null,
        url: page.url(),
        heading: await text(page, 'h1'),
        verdict: await text(page, '#verdict'),
        iin: await text(page, '#signer-iin'),
        screenshot: shot,
      };
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
