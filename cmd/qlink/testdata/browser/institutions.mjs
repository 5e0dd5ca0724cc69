// An institution's IT officer checks why qlink finds no course data for
// it: opens the institution finder from the header, searches by the
// institution's domain (its SCHAC code), opens its page and reads, step
// by step, why discovery failed. Also checks the page on a phone-sized
// screen. Screenshots go to the folder given; any failed check exits
// non-zero with a message.
//
// Usage: node institutions.mjs <catalogue URL> <screenshot folder> <SCHAC code of a misconfigured institution>
import { args, check, launch, watchErrors } from './lib.mjs';

const usage = 'node institutions.mjs <catalogue URL> <screenshot folder> <SCHAC code>';
const { base, shots, rest } = args(usage);
const schac = rest[0];
if (!schac) {
  console.error(`usage: ${usage}`);
  process.exit(2);
}

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);

  // From the catalogue, the header leads to the finder.
  await page.goto(base);
  await page.click('header.site nav a[href="/institutions"]');
  await page.waitForURL(/\/institutions$/);
  const all = (await page.locator('#inst-count').textContent()).trim();
  check(/of \d+ institutions/.test(all), `the finder lists every institution: "${all}"`);
  const failing = await page.locator('.inst .badges li.bad').count();
  check(failing > 0, `the list marks institutions without a manifest (${failing} on the first page)`);
  await page.screenshot({ path: `${shots}/1-finder.png` });

  // Search by the institution's domain.
  await page.fill('#inst-q', schac);
  await page.press('#inst-q', 'Enter');
  await page.waitForURL((u) => u.search.includes('q='));
  const found = (await page.locator('#inst-count').textContent()).trim();
  check(found === '1 institution', `searching "${schac}" finds exactly one institution: "${found}"`);
  const result = page.locator('.inst').first();
  check((await result.locator('.schac').textContent()).trim() === schac, 'the result shows the SCHAC code searched for');
  check((await result.locator('.badges').textContent()).includes('no manifest'), 'the result says no manifest was found');
  await page.screenshot({ path: `${shots}/2-search.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  const finderOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(finderOverflow <= 1, `the finder fits a phone screen (overflow ${finderOverflow}px)`);
  await page.screenshot({ path: `${shots}/2-search-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The institution page says why.
  await result.locator('h2 a').click();
  await page.waitForURL(/\/institutions\/[^/?]+$/);
  const verdict = (await page.locator('#verdict').textContent()).trim();
  check(/^No (usable )?manifest was found/.test(verdict), `the page says discovery failed: "${verdict}"`);
  const probes = await page.locator('.probe').count();
  check(probes >= 4, `every probe of the discovery is listed (${probes})`);
  const problem = page.locator('.probe-error .plain').first();
  const reason = (await problem.count()) ? (await problem.textContent()).trim() : verdict;
  check(/not a valid manifest|no manifest is published|no TXT record/.test(reason), `the reason is in plain words: "${reason}"`);
  check(await page.locator('#h-sources').count() === 1 && await page.locator('#h-inst-courses').count() === 1,
    'the page has its sources and courses sections');
  await page.locator('#h-disc').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/3-institution.png`, fullPage: true });

  // Phone: the page itself does not scroll sideways (tables scroll in their own box).
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `the institution page fits a phone screen (overflow ${overflow}px)`);
  await page.screenshot({ path: `${shots}/4-institution-phone.png`, fullPage: true });

  // A healthy institution, for comparison: sources with their runs, the
  // quality trend and its courses as the catalogue shows them.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}institutions`);
  await page.locator('.inst', { has: page.locator('.badges li.ok') }).first().locator('h2 a').click();
  await page.waitForURL(/\/institutions\/[^/?]+$/);
  check((await page.locator('#verdict').textContent()).includes('The manifest was found at'), 'a healthy institution shows where its manifest is');
  check(await page.locator('pre.manifest').count() === 1, 'its manifest is shown as found');
  check(await page.locator('table.runs tbody tr').count() > 0, 'its sources list their runs');
  check(await page.locator('.inst-courses .result').count() > 0, 'its courses are previewed as in the catalogue');
  await page.screenshot({ path: `${shots}/5-healthy-institution.png`, fullPage: true });
  await page.locator('.inst-courses .result h3 a').first().click();
  await page.waitForURL(/\/courses\//);
  await page.locator('.provider a').click();
  await page.waitForURL(/\/institutions\/[^/?]+$/);
  check(true, 'the course page links back to its institution');

  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).length);
  check(unlabeled === 0, 'every form control has a label');
  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}
