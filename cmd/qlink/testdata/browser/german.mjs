// A German reader in headless Chromium (locale de-DE, so the browser asks
// for German): the catalogue comes in German with German vocabulary labels
// (countries, ISCED-F fields, EQF levels, types), a filter chip names its
// level once, a course page is German too; then the reader switches to
// French in the header and the choice is remembered on the next pages.
// Screenshots go to the folder given; the journey ends with no console
// errors.
//
// Usage: node german.mjs <catalogue URL> <screenshot folder>
import { args, check, launch, watchErrors } from './lib.mjs';

const { base, shots } = args('node german.mjs <catalogue URL> <screenshot folder>');

// English names the page must not show to a German reader, and German
// ones of the broad ISCED-F fields, one of which the demo data uses.
const englishLabels = ['Germany', 'Netherlands', 'Field of study', 'Information and Communication Technologies',
  'Business, administration and law', 'Arts and humanities', 'Course catalogue', 'EQF level'];
const germanFields = ['Informations- und Kommunikationstechnologien (IKT)', 'Wirtschaft, Verwaltung und Recht',
  'Geisteswissenschaften und Künste', 'Naturwissenschaften, Mathematik und Statistik', 'Pädagogik',
  'Sozialwissenschaften, Journalismus und Informationswesen', 'Ingenieurwesen, verarbeitendes Gewerbe und Baugewerbe',
  'Gesundheit und Sozialwesen', 'Dienstleistungen', 'Landwirtschaft, Forstwirtschaft, Fischerei und Tiermedizin'];

const browser = await launch();
try {
  const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);

  // The catalogue in German, chosen by Accept-Language alone.
  await page.goto(base);
  check(await page.getAttribute('html', 'lang') === 'de', '<html lang="de"> for a German browser');
  const count = (await page.locator('#result-count').textContent()).trim();
  check(/von [\d.]+ Kursen/.test(count), `the result count is German: "${count}"`);
  const facets = await page.locator('#filters summary').allTextContents();
  check(facets.includes('Land') && facets.includes('Studienbereich (ISCED-F)') && facets.includes('EQR-Niveau'),
    `facet names are German: ${facets.map((f) => f.trim()).join(', ')}`);
  const fields = await page.locator('input[name="field"] + label').allTextContents();
  check(fields.some((l) => germanFields.some((g) => l.includes(g))), `ISCED-F fields are named in German: "${fields[0]?.trim()}"`);
  const countries = await page.locator('input[name="country"] + label').allTextContents();
  check(countries.some((l) => /Deutschland|Niederlande|Frankreich|Belgien|Österreich|Italien|Spanien|Polen/.test(l)),
    `countries are named in German: "${countries[0]?.trim()}"`);
  // Course and institution names are the institutions' own: only the
  // interface around them is checked.
  const text = (await page.locator('header.site').innerText()) + (await page.locator('#filters').innerText()) + count;
  const english = englishLabels.filter((l) => text.includes(l));
  check(english.length === 0, `no English labels left (${english.join(', ')})`);
  await page.screenshot({ path: `${shots}/1-katalog.png` });

  // An EQF filter: its chip names the level once, in German.
  const eqf = page.locator('input[name="eqf"]').first();
  const level = await eqf.getAttribute('value');
  await eqf.check();
  await page.waitForURL((u) => u.search.includes(`eqf=${level}`));
  await page.waitForFunction(() => !document.querySelector('.htmx-request'));
  const chip = (await page.locator('.active-filters a').first().textContent()).trim();
  check(chip.startsWith(`EQR-Niveau ${level}`) && chip.split('EQR').length === 2, `the EQF chip says its level once: "${chip}"`);
  await page.screenshot({ path: `${shots}/2-filter.png` });

  // A course page in German.
  await page.locator('.result h3 a').first().click();
  await page.waitForURL(/\/courses\//);
  check(await page.getAttribute('html', 'lang') === 'de', 'the course page is German too');
  check(await page.locator('#h-off').textContent() === 'Angebote', 'the offerings are headed in German');
  const facts = await page.locator('.facts dt').allTextContents();
  check(facts.includes('Studienbereich') || facts.includes('Niveau'), `course facts are labelled in German: ${facts.slice(0, 4).join(', ')}`);
  const offerings = await page.locator('table.offerings').innerText().catch(() => '');
  check(!/\d{7,}/.test(offerings.replace(/\s/g, ' ')), 'places and enrolments are numbers, not addresses');
  check(/\d+\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) \d{4}/.test(await page.locator('main').innerText()),
    'dates are written the German way ("4. Dezember 2026")');
  const courseURL = page.url();
  await page.screenshot({ path: `${shots}/3-kurs.png`, fullPage: true });

  // Switch to French in the header: the same page comes back in French.
  const fr = page.locator('.ui-langs a[hreflang="fr"]');
  check(await fr.getAttribute('aria-current') === null, 'French is not marked as the current language yet');
  await fr.click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
  check(page.url() === courseURL, `the switch leads back to the same page without ?lang (${page.url()})`);
  check(await page.locator('#h-off').textContent() === 'Sessions', 'the course page is now French');
  check(await page.locator('.ui-langs a[hreflang="fr"]').getAttribute('aria-current') === 'true', 'French is marked current');
  await page.screenshot({ path: `${shots}/4-cours.png`, fullPage: true });

  // The choice is remembered: the catalogue stays French although the
  // browser still asks for German.
  await page.locator('header.site nav a[href="/"]').first().click();
  await page.waitForURL((u) => u.pathname === '/');
  check(await page.getAttribute('html', 'lang') === 'fr', 'the next page is French: the choice is remembered');
  const frCount = (await page.locator('#result-count').textContent()).trim();
  check(/sur [\d\u00a0\u202f ]+ cours/.test(frCount), `the result count is French: "${frCount}"`);
  const cookie = (await context.cookies()).find((c) => c.name === 'lang');
  check(cookie?.value === 'fr' && cookie.httpOnly && cookie.sameSite === 'Lax', 'the choice is kept in an HttpOnly, SameSite=Lax cookie');
  await page.screenshot({ path: `${shots}/5-catalogue-fr.png` });

  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}
