// Drives the catalogue in headless Chromium the way a student would: open
// it, search, narrow by a facet, open a course; then checks the page on a
// phone-sized screen and with the keyboard alone, and lists a long facet in
// full. Screenshots go to the
// folder given; any failed check exits non-zero with a message.
//
// Usage: node catalogue.mjs <catalogue URL> <screenshot folder>
import { args, check, launch, watchErrors } from './lib.mjs';

const { base, shots } = args('node catalogue.mjs <catalogue URL> <screenshot folder>');

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);

  await page.goto(base);
  const all = await page.locator('#result-count').textContent();
  check(/of [\d,]+ courses/.test(all), `catalogue lists courses: "${all.trim()}"`);
  await page.screenshot({ path: `${shots}/1-catalogue.png`, fullPage: false });

  // Search: typing triggers htmx after a pause; Enter submits at once.
  await page.fill('#q', 'data');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => document.querySelector('#result-count')?.textContent.includes('“data”'));
  const found = await page.locator('.result').count();
  check(found > 0, `search "data" shows ${found} results`);
  check(page.url().includes('q=data'), 'the search is in the URL (shareable, back button works)');
  await page.screenshot({ path: `${shots}/2-search.png` });

  // Facet: tick the first country; counts and results follow.
  const box = page.locator('input[name="country"]').first();
  const country = await box.getAttribute('value');
  const label = (await page.locator(`label[for="${await box.getAttribute('id')}"]`).textContent()).trim();
  const expected = Number(label.match(/(\d+)\s*$/)[1]);
  await box.check();
  await page.waitForURL((u) => u.search.includes(`country=${country}`));
  await page.waitForFunction(() => !document.querySelector('.htmx-request'));
  const countText = await page.locator('#result-count').textContent();
  const total = Number(countText.match(/of (\d+)/)?.[1] ?? countText.match(/(\d+) course/)?.[1]);
  check(total === expected, `country ${country} facet promised ${expected} courses and the list has ${total}`);
  const chip = await page.locator('.active-filters a').first().textContent();
  check(chip.includes('Country'), `active filter chip shown: "${chip.trim()}"`);
  await page.screenshot({ path: `${shots}/3-facet.png` });

  // Course page.
  const first = page.locator('.result h3 a').first();
  const title = (await first.textContent()).trim();
  await first.click();
  await page.waitForURL(/\/courses\//);
  const h1 = (await page.locator('h1').textContent()).trim();
  check(h1.length > 0, `course page opened: "${h1}" (listed as "${title}")`);
  check(await page.locator('#h-off').count() === 1, 'course page has an offerings section');
  check(await page.locator('#h-prov').count() === 1, 'course page names the institution');
  await page.screenshot({ path: `${shots}/4-course.png`, fullPage: true });

  // Phone: the same course page, no horizontal scrolling of the page itself.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `course page fits a phone screen (overflow ${overflow}px)`);
  await page.screenshot({ path: `${shots}/5-course-phone.png`, fullPage: true });

  // Keyboard: from the top, the skip link comes first and leads to the content.
  await page.goto(base);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
  check(focused === 'Skip to content', `first Tab stop is the skip link ("${focused}")`);
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).length);
  check(unlabeled === 0, 'every form control has a label');
  // A long facet lists its ten largest values and a link to all of them;
  // the full list stays open while the reader ticks boxes in it.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base);
  const institutions = page.locator('#facet-institution input[name="institution"]');
  const shown = await institutions.count();
  check(shown === 10, `the institution facet lists ten institutions at first (${shown})`);
  const more = page.locator('#facet-institution a', { hasText: /Show \d+ more/ });
  const hidden = Number((await more.textContent()).match(/\d+/)[0]);
  await more.click();
  await page.waitForURL((u) => u.searchParams.get('more') === 'institution');
  const listed = await institutions.count();
  check(listed === 10 + hidden, `"Show ${hidden} more" lists all ${listed} institutions`);
  const last = await institutions.last().getAttribute('value');
  await institutions.last().check();
  await page.waitForURL((u) => u.searchParams.get('institution') === last && u.searchParams.get('more') === 'institution');
  await page.waitForFunction(() => !document.querySelector('.htmx-request'));
  check(await institutions.count() === listed, `the full list stays open after ticking ${last}`);
  await page.screenshot({ path: `${shots}/6-facet-in-full.png`, fullPage: true });
  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}
