// Frames the alliance widget in a page of another origin, as an alliance's
// website would, searches in it, and checks that an ordinary page of the
// catalogue refuses to be framed.
//
// Usage: node widget.mjs <host page URL> <screenshot folder>
import { args, check, launch, watchErrors } from './lib.mjs';

const { base, shots } = args('node widget.mjs <host page URL> <screenshot folder>');

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(base);
  const widget = page.frameLocator('#widget');
  await widget.locator('.embed-results li').first().waitFor();
  const shown = await widget.locator('.embed-results li').count();
  check(shown > 0, `the framed widget lists courses (${shown})`);
  const target = await widget.locator('.embed-results a').first().getAttribute('target');
  check(target === '_blank', 'course links open outside the frame');
  await page.screenshot({ path: `${shots}/1-widget-framed.png` });

  const before = await widget.locator('.embed-count').textContent();
  await widget.locator('#q').fill('introduction');
  await widget.locator('#q').press('Enter');
  await widget.locator('.embed-count').filter({ hasNotText: before.trim() }).waitFor();
  const after = await widget.locator('.embed-count').textContent();
  check(after.trim() !== before.trim(), `searching in the frame narrows the list ("${before.trim()}" → "${after.trim()}")`);
  await page.screenshot({ path: `${shots}/2-widget-search.png` });

  // The ordinary page is refused by its frame-ancestors 'none': the frame
  // holds no document of the catalogue.
  const aboutFrame = page.frames().find((f) => f.url().includes('/about'));
  const heading = aboutFrame ? await aboutFrame.locator('h1').count().catch(() => 0) : 0;
  check(heading === 0, 'an ordinary page of the catalogue cannot be framed by another site');
  // Chromium reports the refused frame on the console; that is the point.
  const unexpected = errors.filter((e) => !e.includes('frame-ancestors') && !e.includes('Refused to display'));
  check(unexpected.length === 0, `no script errors (${unexpected.join('; ')})`);
} finally {
  await browser.close();
}
