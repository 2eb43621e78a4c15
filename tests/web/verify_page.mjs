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
//
// When a case is named `valid` (an attached signature that passes), the script also:
//   * for each language (kk, ru, en) at 1280 and 360 px width, opens the form with `?lang=`,
//     uploads it, saves full-page screenshots DIR/LANG-WIDTH-form.png and -result.png, and
//     measures the horizontal overflow (document.scrollingElement.scrollWidth against
//     innerWidth) of both pages: `languages["kk-360"] = {form: {...}, result: {...}}`, and
//     `control`, the same measurement after a 2000 px wide element is added (it must overflow);
//   * opens `/` in browsers whose Accept-Language prefers kk, ru or en and reports the page's
//     `lang`: `accept_language`;
//   * clicks the switch to Kazakh on an English form, reloads `/`, uploads: `switch`;
//   * clicks the download button of the result and saves the file: `download`.

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

// Horizontal overflow of the current page.
async function overflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

async function upload(page, file) {
  await page.setInputFiles('#signature', file);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('button[type=submit]'),
  ]);
  return response;
}

async function matrix(browser, args, file, result) {
  result.languages = {};
  for (const lang of ['kk', 'ru', 'en']) {
    for (const width of [1280, 360]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${args.url}/?lang=${lang}`);
      const entry = { form: {}, result: {} };
      entry.form.overflow = await overflow(page);
      entry.form.lang = await page.evaluate(() => document.documentElement.lang);
      entry.form.screenshot = path.join(args.out, `${lang}-${width}-form.png`);
      await page.screenshot({ path: entry.form.screenshot, fullPage: true });
      const response = await upload(page, file);
      // Open the list of all fields too, so its width is measured and seen.
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      entry.result.status = response ? response.status() : null;
      entry.result.overflow = await overflow(page);
      entry.result.lang = await page.evaluate(() => document.documentElement.lang);
      entry.result.verdict = await text(page, '#verdict');
      entry.result.kicker = await text(page, '.kicker');
      entry.result.number = await text(page, '#document-number');
      entry.result.screenshot = path.join(args.out, `${lang}-${width}-result.png`);
      await page.screenshot({ path: entry.result.screenshot, fullPage: true });
      // The control: the same measurement sees an element wider than the window, so a page
      // that overflowed would be caught.
      await page.evaluate(() => {
        const wide = document.createElement('div');
        wide.style.width = '2000px';
        wide.textContent = 'x';
        document.body.appendChild(wide);
      });
      entry.control = await overflow(page);
      result.languages[`${lang}-${width}`] = entry;
      await context.close();
    }
  }
  result.accept_language = {};
  for (const header of ['kk-KZ,kk;q=0.9,ru;q=0.8', 'ru-RU,ru;q=0.9,en;q=0.8', 'en-US,en;q=0.9']) {
    const context = await browser.newContext({ extraHTTPHeaders: { 'Accept-Language': header } });
    const page = await context.newPage();
    await page.goto(`${args.url}/`);
    result.accept_language[header] = await page.evaluate(() => document.documentElement.lang);
    await context.close();
  }
  {
    const context = await browser.newContext({
      extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await page.goto(`${args.url}/`);
    const before = await page.evaluate(() => document.documentElement.lang);
    await Promise.all([page.waitForNavigation(), page.click('#lang-kk')]);
    const afterClick = await page.evaluate(() => document.documentElement.lang);
    await page.goto(`${args.url}/`);
    const afterReload = await page.evaluate(() => document.documentElement.lang);
    await upload(page, file);
    result.switch = {
      before,
      after_click: afterClick,
      after_reload: afterReload,
      result: await page.evaluate(() => document.documentElement.lang),
      kicker: await text(page, '.kicker'),
    };
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download'),
    ]);
    const saved = path.join(args.out, 'downloaded-content');
    await download.saveAs(saved);
    result.download = { suggested: download.suggestedFilename(), path: saved };
    await context.close();
  }
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
      const response = await upload(page, file);
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
    const valid = args.cases.find(([name]) => name === 'valid');
    if (valid) {
      await matrix(browser, args, valid[1], result);
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
