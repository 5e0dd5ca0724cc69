// An institution's IT officer builds and validates a manifest with an
// encrypted secret, in headless Chromium: open /manifest, fill in the
// institution, add a second source in place, protect it with an httpheader
// whose secret is encrypted in the page, make the manifest, read it, and
// validate it again by pasting it. The clear secret must never be sent.
// The manifest the page made is written to <output file>, for the Go test
// to decrypt the secret with the server's keys. Last, "check my
// institution" runs for <domain>, which must pass.
//
// Usage: node manifest.mjs <base URL> <screenshot folder> <output file> <secret> <domain>
import { writeFileSync } from 'node:fs';
import { args, check, launch, watchErrors } from './lib.mjs';

const usage = 'node manifest.mjs <base URL> <screenshot folder> <output file> <secret> <domain>';
const { base, shots, rest } = args(usage);
const [outFile, secret, domain] = rest;
if (!outFile || !secret || !domain) {
  console.error(`usage: ${usage}`);
  process.exit(2);
}

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = watchErrors(page);
  const sent = [];
  page.on('request', (req) => { if (req.method() === 'POST') sent.push(req.postData() || ''); });

  await page.goto(new URL('/manifest', base).href);
  check(await page.locator('h1').textContent() === 'Publish your courses', 'the publishers\' page opens');
  await page.fill('#schac', 'uni-example.eu');
  await page.fill('#manifest_url', 'https://www.uni-example.eu/ql/manifest.json');
  await page.selectOption('#s0-type', 'ooapi');
  await page.fill('#s0-version', '5');
  await page.fill('#s0-path', 'https://api.uni-example.eu/ooapi/v5');

  // A second source, added in place: no page load.
  await page.evaluate(() => { window.samePage = true; });
  await page.click('#add-source');
  check(await page.locator('#sources [data-source]').count() === 2, 'a second source is added');
  check(await page.evaluate(() => window.samePage === true), 'adding a source does not reload the page');
  check(await page.evaluate(() => document.activeElement.id === 's1-type'), 'focus moves to the new source');
  await page.selectOption('#s1-type', 'elm');
  await page.fill('#s1-version', '3.3');
  await page.fill('#s1-path', 'https://data.uni-example.eu/courses.ttl');
  await page.selectOption('#s1-auth', 'httpheader');
  check(await page.locator('#s1-field').isVisible(), 'httpheader asks for the header name');
  check(!(await page.locator('#s1-token_endpoint').isVisible()), 'the other methods\' fields are hidden');
  await page.fill('#s1-field', 'X-API-Key');

  // The secret: typed in a field without a name, encrypted in the page.
  const clear = page.locator('#s1-secret-value');
  check(await clear.isVisible(), 'the secret field shows with scripts on');
  check(await clear.getAttribute('name') === null, 'the clear secret field has no name, so no form sends it');
  await clear.fill(secret);
  await page.click('#s1-secret-value ~ button[data-encrypt]');
  await page.waitForFunction(() => document.querySelector('#s1-value').value.length > 100);
  check(await clear.inputValue() === '', 'the clear secret is emptied once encrypted');
  const status = await page.locator('#encrypt-status').textContent();
  check(status.includes('Encrypted in this browser'), `the page says what it did: "${status.trim()}"`);
  await page.screenshot({ path: `${shots}/1-builder.png`, fullPage: true });

  // Make and read the manifest.
  await Promise.all([page.waitForURL(/\/manifest/), page.click('#build')]);
  await page.locator('#output').waitFor();
  const verdict = await page.locator('#output .validation').textContent();
  check(verdict.includes('Valid: the aggregator can harvest 2 source(s).'), `the manifest validates: "${verdict.trim()}"`);
  const json = await page.locator('#manifest-json').textContent();
  const made = JSON.parse(json);
  check(made.meta.schac === 'uni-example.eu' && made.sources.length === 2, 'the manifest lists the institution and both sources');
  check(made.sources[1].auth.type === 'httpheader' && made.sources[1].auth.field === 'X-API-Key', 'the second source is protected by the header');
  check(!json.includes(secret), 'the manifest holds no clear secret');
  const yaml = await page.locator('#manifest-yaml').textContent();
  check(yaml.includes('type: httpheader'), 'the YAML form is shown too');
  const txt = await page.locator('#txt-record').textContent();
  check(txt === 'uni-example.eu. 3600 IN TXT "v=qldiscover1; m=https://www.uni-example.eu/ql/manifest.json"', `the DNS record: ${txt}`);
  await page.screenshot({ path: `${shots}/2-manifest.png`, fullPage: true });
  writeFileSync(outFile, json);

  // Validate it again, pasted.
  await page.fill('#paste', json);
  await Promise.all([page.waitForURL(/\/manifest\/validate/), page.click('#validate')]);
  const pasted = await page.locator('#validator .validation').textContent();
  check(pasted.includes('Valid: the aggregator can harvest 2 source(s).'), 'the pasted manifest validates');
  await page.screenshot({ path: `${shots}/3-validated.png`, fullPage: true });

  // Check an institution of the federation.
  await page.fill('#target', domain);
  await Promise.all([page.waitForURL(/\/manifest\/check/), page.click('#run-check')]);
  const result = await page.locator('#check-result').textContent();
  check(result.includes(`PASS: the aggregator can harvest every source of ${domain}.`), `check my institution: "${result.trim()}"`);
  check(await page.locator('.probes tbody tr').count() > 0, 'the report lists the discovery probes');
  await page.locator('#check').screenshot({ path: `${shots}/4-check.png` });

  // Without JavaScript: plain forms, and the page says how to encrypt.
  const plain = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 1280, height: 1000 } });
  await plain.goto(new URL('/manifest', base).href);
  check(await plain.locator('.secret-help.nojs').isVisible(), 'without scripts the page says to encrypt with qlink keys encrypt');
  check(!(await plain.locator('.clear-secret').first().isVisible()), 'without scripts there is no clear secret field');
  await Promise.all([plain.waitForURL(/\/manifest$/), plain.click('#add-source')]);
  check(await plain.locator('#sources [data-source]').count() === 2, 'without scripts "Add a source" adds one by a form post');
  await plain.screenshot({ path: `${shots}/5-without-scripts.png` });

  check(sent.length >= 3 && sent.every((body) => !body.includes(encodeURIComponent(secret)) && !body.includes(secret)),
    `no request carried the clear secret (${sent.length} forms sent)`);
  check(errors.length === 0, `no console errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}
