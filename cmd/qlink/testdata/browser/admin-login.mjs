// An operator signs in and out in headless Chromium: a wrong password shows
// the error, the right one shows the signed-in state, the session cookie
// has the attributes qlink promises (Secure, HttpOnly, SameSite=Lax) and
// Chromium keeps it over plain HTTP on loopback, then signing out ends it.
// The same is done at localhost, the other name browsers treat as secure,
// signing out there through htmx (the token in the X-CSRF-Token header).
//
// Usage: node admin-login.mjs <base URL on 127.0.0.1> <screenshot folder> <name> <password>
import { args, check, launch, watchErrors } from './lib.mjs';

const usage = 'node admin-login.mjs <base URL> <screenshot folder> <name> <password>';
const { base, shots, rest } = args(usage);
const [name, password] = rest;
if (!name || !password) {
  console.error(`usage: ${usage}`);
  process.exit(2);
}

async function journey(browser, origin, label, viaHtmx) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);

  await page.goto(`${origin}/admin/login`);
  check(await page.locator('h1').textContent() === 'Sign in', `${label}: the sign-in page opens`);
  await page.screenshot({ path: `${shots}/${label}-1-login.png` });

  await page.fill('#login-name', name);
  await page.fill('#login-password', 'certainly not the password');
  await Promise.all([page.waitForNavigation(), page.click('form.account-form button[type=submit]')]);
  const error = await page.locator('#login-error').textContent();
  check(/name or password is wrong/.test(error), `${label}: a wrong password shows "${error.trim()}"`);
  check(await page.inputValue('#login-name') === name, `${label}: the name is kept, the password is not`);
  await page.screenshot({ path: `${shots}/${label}-2-wrong-password.png` });

  await page.fill('#login-password', password);
  await Promise.all([page.waitForNavigation(), page.click('form.account-form button[type=submit]')]);
  check(new URL(page.url()).pathname === '/admin', `${label}: signing in leads to the operator pages`);
  await page.goto(new URL('/admin/login', page.url()).href);
  const state = await page.locator('.signed-in-as').textContent();
  check(state.includes(`signed in as ${name}`), `${label}: the page says "${state.trim()}"`);
  const header = await page.locator('header.site .signed-in').textContent();
  check(header.includes(`Signed in as ${name}`), `${label}: the header shows who is signed in`);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'qlink_session');
  check(session !== undefined, `${label}: Chromium kept the Secure session cookie over plain HTTP`);
  check(session.secure && session.httpOnly && session.sameSite === 'Lax',
    `${label}: the session cookie is Secure, HttpOnly, SameSite=Lax (${JSON.stringify({ secure: session.secure, httpOnly: session.httpOnly, sameSite: session.sameSite })})`);
  check(await page.evaluate(() => document.cookie.includes('qlink_session')) === false,
    `${label}: scripts cannot read the session cookie`);
  await page.screenshot({ path: `${shots}/${label}-3-signed-in.png` });

  if (viaHtmx) {
    // htmx sends the page's token in X-CSRF-Token (app.js): a request
    // without a form behind it is accepted too.
    const status = await page.evaluate(() => new Promise((resolve) => {
      document.body.addEventListener('htmx:afterRequest', (e) => resolve(e.detail.xhr.status), { once: true });
      htmx.ajax('POST', '/admin/logout', { target: 'main', select: 'main' });
    }));
    check(status === 200, `${label}: signing out through htmx is accepted (status ${status} after the redirect)`);
    await page.goto(`${origin}/`);
  } else {
    await Promise.all([page.waitForNavigation(), page.click('header.site .signed-in button')]);
    check(new URL(page.url()).pathname === '/', `${label}: signing out returns to the catalogue`);
  }
  check(await page.locator('header.site .signed-in').count() === 0, `${label}: the header no longer shows a session`);
  check((await context.cookies()).every((c) => c.name !== 'qlink_session'), `${label}: the session cookie is gone`);
  await page.goto(`${origin}/admin/login`);
  check(await page.locator('#login-name').count() === 1, `${label}: the sign-in form is offered again`);
  await page.screenshot({ path: `${shots}/${label}-4-signed-out.png` });

  check(errors.length === 0, `${label}: no console errors${errors.length ? ': ' + errors.join('; ') : ''}`);
  await context.close();
}

const browser = await launch();
try {
  await journey(browser, base.replace(/\/$/, ''), '127.0.0.1', false);
  await journey(browser, base.replace(/\/$/, '').replace('127.0.0.1', 'localhost'), 'localhost', true);
} finally {
  await browser.close();
}
