// Shared pieces of the browser journeys: launching Chromium the same way,
// a check that logs what passed and throws on what failed, and a watch on
// console errors (every journey ends with none).
import { chromium } from 'playwright-core';

export function args(usage) {
  const [base, shots, ...rest] = process.argv.slice(2);
  if (!base || !shots) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return { base, shots, rest };
}

export function check(ok, message) {
  if (!ok) throw new Error(message);
  console.log('ok -', message);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// watchErrors collects the page's script errors and console errors.
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}
