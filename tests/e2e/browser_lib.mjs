// browser_lib.mjs: what the browser tests share — "  ok"/"  FAIL" lines and
// their summary, commands and queries against the instance, its mail, and
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) with the
// 375 px checks and screenshots.  Reads INSTANCE, ROOT, OUT and WORK from
// the environment the test_*_browser.sh scripts set.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const { INSTANCE, ROOT, OUT, WORK } = process.env;
const DB = path.join(INSTANCE, 'state', 'certdesk.db');
let passed = 0, failed = 0;
let page = null;
let shot = 0;

export function ok(cond, what) {
	if (cond) { passed++; console.log(`  ok   ${what}`); }
	else { failed++; console.log(`  FAIL ${what}`); }
}
export function sh(cmd, args, input) {
	return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
export function sql(q) { return sh('sqlite3', [DB, q]).trim(); }
export function cdadm(...args) { return sh(path.join(ROOT, 'build', 'certdesk'), args); }
// The newest mail file that mentions text, or null.
export function mailWith(text) {
	const dir = path.join(INSTANCE, 'mail');
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
	for (const f of files.reverse()) {
		const body = fs.readFileSync(path.join(dir, f), 'utf8');
		if (body.includes(text)) return body;
	}
	return null;
}

// Checks the current page at 375 px (no horizontal scrolling, every field
// labelled) and saves a PNG at 375 px and at desktop width.
export async function snap(name) {
	shot++;
	const base = `${String(shot).padStart(2, '0')}-${name}`;
	await page.setViewportSize({ width: 375, height: 800 });
	const info = await page.evaluate(() => {
		const unlabelled = [];
		for (const el of document.querySelectorAll('input, select, textarea')) {
			const t = (el.getAttribute('type') || '').toLowerCase();
			if (t === 'hidden' || t === 'submit' || t === 'button') continue;
			const byFor = el.id && document.querySelector(`label[for="${el.id}"]`);
			if (!byFor && !el.closest('label') && !el.getAttribute('aria-label'))
				unlabelled.push(el.name || el.id || el.tagName);
		}
		return { width: document.documentElement.scrollWidth, unlabelled };
	});
	ok(info.width <= 375, `${name}: no horizontal scrolling at 375 px (scrollWidth ${info.width})`);
	ok(info.unlabelled.length === 0, `${name}: every field has a label ${info.unlabelled.join(',')}`);
	await page.screenshot({ path: path.join(OUT, `${base}-375.png`), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.screenshot({ path: path.join(OUT, `${base}-desktop.png`), fullPage: true });
}
export async function text(sel) { return (await page.locator(sel).first().innerText()).trim(); }

// Starts Chromium, runs flow(page) (an exception is one failure, with
// failure.png saved), closes it, prints "NAME: N passed, N failed" and
// exits 1 if anything failed.
export async function run(name, flow) {
	const userData = fs.mkdtempSync(path.join(WORK, 'chromium-'));
	const context = await chromium.launchPersistentContext(userData, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		acceptDownloads: true,
		viewport: { width: 1280, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
		    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	page = context.pages()[0] || await context.newPage();
	page.setDefaultTimeout(15000);
	try {
		await flow(page);
	} catch (e) {
		ok(false, `browser flow: ${e.message.split('\n')[0]}`);
		try { await page.screenshot({ path: path.join(OUT, 'failure.png'), fullPage: true }); } catch { }
	} finally {
		await context.close();
		fs.rmSync(userData, { recursive: true, force: true });
	}
	console.log(`${name}: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}
