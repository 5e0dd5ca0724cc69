// A data re-user finds the open dataset from the catalogue's header, reads
// the licence, downloads the whole N-Quads dump and checks it against the
// checksum the page states; then the page on a phone-sized screen.
// Screenshots go to the folder given; any failed check exits non-zero.
//
// Usage: node dataset.mjs <catalogue URL> <screenshot folder>
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { args, check, launch, watchErrors } from './lib.mjs';

const { base, shots } = args('node dataset.mjs <catalogue URL> <screenshot folder>');

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(base);
  await page.click('header nav a[href="/dataset"]');
  await page.waitForURL((u) => u.pathname === '/dataset');
  check((await page.locator('h1').textContent()).trim() === 'Open dataset', 'the header\'s Open data link leads to the dataset page');
  const licence = page.locator('a[rel="license"]').first();
  check((await licence.getAttribute('href')).includes('creativecommons.org/licenses/by-nc/4.0'), 'the page names the CC BY-NC 4.0 licence');
  check(await page.locator('blockquote.attribution').isVisible(), 'the page gives an attribution text');
  await page.screenshot({ path: `${shots}/1-dataset.png`, fullPage: true });

  // The whole catalogue's N-Quads dump: the first row of the first table.
  const row = page.locator('table.downloads').first().locator('tbody tr').first();
  const link = row.locator('a[download]');
  check((await link.textContent()).trim() === 'N-Quads', 'the first download is the N-Quads dump');
  const stated = (await row.locator('code.checksum').textContent()).trim();
  const records = Number((await row.locator('td').nth(1).textContent()).replace(/\D/g, ''));
  check(records > 0, `the dump holds ${records} courses`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const data = await readFile(await download.path());
  check(data[0] === 0x1f && data[1] === 0x8b, `the download is gzip (${data.length} bytes, ${download.suggestedFilename()})`);
  const sum = createHash('sha256').update(data).digest('hex');
  check(sum === stated, `its SHA-256 is the one the page states (${sum.slice(0, 12)}…)`);

  // Per institution: every row links its five files.
  const perInstitution = page.locator('table.downloads').nth(1).locator('tbody tr');
  const institutions = await perInstitution.count();
  check(institutions > 0 && (await perInstitution.first().locator('a[download]').count()) === 5,
    `${institutions} institutions, each with five files`);

  // A phone: the tables scroll inside their box, not the page.
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 1, `no sideways scrolling of the page on a phone (overflow ${overflow}px)`);
  await page.screenshot({ path: `${shots}/2-dataset-phone.png`, fullPage: false });

  check(errors.length === 0, `no console errors${errors.length ? ': ' + errors.join('; ') : ''}`);
} finally {
  await browser.close();
}
