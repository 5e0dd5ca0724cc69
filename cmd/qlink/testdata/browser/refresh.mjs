// "Refresh now" in headless Chromium: from an institution's page (with
// JavaScript) and from a run page (without), press the button,
// land on the refresh's page and watch its runs progress to their result,
// streamed by the server (the page is never reloaded); then the same
// without JavaScript, where the page reloads itself until the refresh is
// over. Screenshots go to the folder given; no console errors allowed.
//
// Usage: node refresh.mjs <base URL> <screenshot folder> <institution page> <run page of another institution>
import { args, check, launch, watchErrors } from './lib.mjs';

const usage = 'node refresh.mjs <base URL> <screenshot folder> <institution page> <run page of another institution>';
const { base, shots, rest } = args(usage);
const [withJS, withoutJS] = rest;
if (!withJS || !withoutJS) {
  console.error(`usage: ${usage}`);
  process.exit(2);
}

// press opens an institution's page or a run page, checks it and presses
// "Refresh now".
async function press(page, from, shot) {
  await page.goto(base + from);
  const h1 = (await page.locator('h1').textContent()).trim();
  if (from.startsWith('/runs/')) {
    check(/^Run \d+/.test(h1), `run page opened: "${h1}"`);
    check(await page.locator('#run-warnings-h').count() === 1, 'the run page has its warnings section');
  } else {
    check(h1 !== '' && await page.locator('text=Discovery').count() > 0, `institution page opened: "${h1}"`);
  }
  await page.screenshot({ path: `${shots}/${shot}`, fullPage: true });
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await page.waitForURL(/\/refreshes\/\d+$/);
  check(true, `pressing Refresh now leads to ${new URL(page.url()).pathname}`);
}

const browser = await launch();
try {
  // With JavaScript: the progress arrives through the event stream.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  // Note what each event htmx swaps in from the stream shows.
  await page.addInitScript(() => {
    window.seen = [];
    document.addEventListener('htmx:sseMessage', () => {
      const row = document.querySelector('#refresh-progress tbody tr');
      window.seen.push(row ? `${row.querySelector('.status').textContent.trim()}:${row.querySelector('.pages').textContent}` : 'no run yet');
    });
  });
  await press(page, withJS, '1-institution.png');
  await page.evaluate(() => { window.notReloaded = true; });
  await page.screenshot({ path: `${shots}/2-progress.png`, fullPage: true });
  await page.locator('.refresh-result').waitFor({ timeout: 90_000 });
  const result = (await page.locator('.refresh-result').textContent()).trim();
  check(result.startsWith('The refresh is over'), `the refresh ends with its result: "${result}"`);
  check(await page.evaluate(() => window.notReloaded === true), 'the result came without a reload');
  const seen = await page.evaluate(() => window.seen);
  check(seen.length >= 2, `the page swapped in ${seen.length} events from the server's stream: ${seen.join(', ')}`);
  check(seen.some((s) => /^running:[1-9]/.test(s)), 'the stream showed a run under way with the pages it had read');
  const runs = await page.locator('#refresh-progress tbody tr').count();
  check(runs > 0, `the refresh lists ${runs} run(s)`);
  const status = (await page.locator('#refresh-progress tbody tr .status').first().textContent()).trim();
  check(!status.startsWith('running'), `its first run is finished: "${status}"`);
  await page.screenshot({ path: `${shots}/3-done.png`, fullPage: true });
  await page.locator('#refresh-progress tbody tr a').first().click();
  await page.waitForURL(/\/runs\/\d+$/);
  const started = (await page.locator('.facts .trigger').textContent()).trim();
  check(started === 'manual', `the new run's page says it was started by hand: "${started}"`);
  check(errors.length === 0, `no console errors with JavaScript${errors.length ? ': ' + errors.join('; ') : ''}`);

  // Without JavaScript: a plain form post, then the page reloads itself.
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const plain = await context.newPage();
  const plainErrors = watchErrors(plain);
  await press(plain, withoutJS, '4-run-nojs.png');
  check(await plain.locator('meta[http-equiv="refresh"]').count() === 1, 'the progress page reloads itself while the refresh runs');
  await plain.screenshot({ path: `${shots}/5-progress-nojs.png`, fullPage: true });
  await plain.locator('.refresh-result').waitFor({ timeout: 90_000 });
  const plainResult = (await plain.locator('.refresh-result').textContent()).trim();
  check(plainResult.startsWith('The refresh is over'), `without JavaScript the refresh ends with its result: "${plainResult}"`);
  check(await plain.locator('meta[http-equiv="refresh"]').count() === 0, 'the finished page no longer reloads');
  await plain.screenshot({ path: `${shots}/6-done-nojs.png`, fullPage: true });
  check(plainErrors.length === 0, `no console errors without JavaScript${plainErrors.length ? ': ' + plainErrors.join('; ') : ''}`);
} finally {
  await browser.close();
}
