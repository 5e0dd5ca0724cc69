// An operator's morning: sign in, import the registry, pause one
// institution's source, rotate the secrets key, enter an alliance, look at
// the job queue and the audit log. Every change must show its confirmation and end up in
// the audit log.
//
// Usage: node operator.mjs <catalogue URL> <screenshot folder> <name> <password>
import { args, check, launch, watchErrors } from './lib.mjs';

const { base, shots, rest } = args('node operator.mjs <catalogue URL> <screenshot folder> <name> <password>');
const [name, password] = rest;

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);

  await page.goto(new URL('/admin', base).href);
  check(page.url().includes('/admin/login'), 'the operator pages ask for a sign-in first');
  await page.fill('#login-name', name);
  await page.fill('#login-password', password);
  await page.click('form.account-form button[type=submit]');
  await page.waitForURL(/\/admin$/);
  check((await page.locator('h1').textContent()).trim() !== '', 'signed in, the overview opens');
  await page.screenshot({ path: `${shots}/1-overview.png`, fullPage: true });

  await page.click('text=Import the registry now');
  await page.waitForSelector('#admin-done');
  check((await page.locator('#admin-done').textContent()).includes('queued'), 'the registry import is queued');

  await page.click('nav.admin-nav >> text=Providers');
  await page.locator('.admin-table tbody tr').first().waitFor();
  const providers = await page.locator('.admin-table tbody tr').count();
  check(providers > 0, `the providers are listed (${providers})`);
  // The first provider with a source to pause.
  const links = await page.locator('.admin-table tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.href));
  let paused = false;
  for (const href of links) {
    await page.goto(href);
    if (await page.locator('button:text-is("Pause")').count() > 0) {
      await page.locator('button:text-is("Pause")').first().click();
      await page.waitForSelector('#admin-done');
      paused = await page.locator('button:text-is("Resume")').count() > 0;
      break;
    }
  }
  check(paused, 'a source is paused and offers Resume');
  await page.screenshot({ path: `${shots}/2-provider-paused.png`, fullPage: true });
  await page.locator('button:text-is("Resume")').first().click();
  await page.waitForSelector('#admin-done');

  await page.click('nav.admin-nav >> text=Keys');
  const before = await page.locator('.admin-table tbody tr').count();
  await page.selectOption('#rotate-only', 'secrets');
  await page.click('button:text-is("Rotate")');
  await page.waitForSelector('#admin-done');
  const after = await page.locator('.admin-table tbody tr').count();
  check(after === before + 1, `rotating the secrets key adds a current key and keeps the old one accepted (${before} → ${after})`);
  await page.screenshot({ path: `${shots}/3-keys.png`, fullPage: true });

  // An alliance entered by hand, with one member the registry holds and
  // one it does not yet.
  await page.click('nav.admin-nav >> text=Alliances');
  const member = new URL(links[0]).pathname.split('/').pop();
  await page.fill('#alliance-id', 'morning');
  await page.fill('#alliance-name', 'Morning Alliance');
  await page.fill('#alliance-members', `${decodeURIComponent(member)}\nnot-yet.example`);
  await page.click('button:text-is("Save the alliance")');
  await page.waitForSelector('#admin-done');
  const row = await page.locator('#alliance-table tr', { hasText: 'Morning Alliance' }).textContent();
  check(row.includes('not-yet.example') && row.includes('1 in the registry'), `the alliance lists its members as the registry matches them (${row.replace(/\s+/g, ' ')})`);
  await page.screenshot({ path: `${shots}/4-alliances.png`, fullPage: true });

  await page.goto(new URL('/admin/jobs?state=available', base).href);
  check((await page.content()).includes('qlink_import_registry'), 'the job queue shows the queued import');

  await page.click('nav.admin-nav >> text=Audit log');
  const audit = await page.locator('.admin-table').textContent();
  for (const action of ['registry.import', 'source.pause', 'source.resume', 'keys.rotate', 'alliance.save']) {
    check(audit.includes(action), `the audit log records ${action}`);
  }
  await page.screenshot({ path: `${shots}/5-audit.png`, fullPage: true });
  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  await browser.close();
}
