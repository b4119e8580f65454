// device_browser.mjs: the device certificate form clicked through in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a
// running instance.  Driven by test_device_browser.sh, which sets BASE,
// INSTANCE, ROOT, OUT, WORK (with gw.csr and weak.csr made by openssl) and
// CERTDESK_CONF.  Prints "  ok"/"  FAIL" lines and a summary like the
// shell tests.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const { BASE, INSTANCE, ROOT, OUT, WORK } = process.env;
const DB = path.join(INSTANCE, 'state', 'certdesk.db');
let passed = 0, failed = 0;

function ok(cond, what) {
	if (cond) { passed++; console.log(`  ok   ${what}`); }
	else { failed++; console.log(`  FAIL ${what}`); }
}
function sh(cmd, args, input) {
	return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
function sql(q) { return sh('sqlite3', [DB, q]).trim(); }
function cdadm(...args) { return sh(path.join(ROOT, 'build', 'certdesk'), args); }
// The newest mail file that mentions text, or null.
function mailWith(text) {
	const dir = path.join(INSTANCE, 'mail');
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
	for (const f of files.reverse()) {
		const body = fs.readFileSync(path.join(dir, f), 'utf8');
		if (body.includes(text)) return body;
	}
	return null;
}

const userData = fs.mkdtempSync(path.join(WORK, 'chromium-'));
const context = await chromium.launchPersistentContext(userData, {
	executablePath: '/usr/bin/chromium',
	headless: true,
	acceptDownloads: true,
	viewport: { width: 1280, height: 900 },
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(15000);

let shot = 0;
// Checks the current page at 375 px (no horizontal scrolling, every field
// labelled) and saves a PNG at 375 px and at desktop width.
async function snap(name) {
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
async function text(sel) { return (await page.locator(sel).first().innerText()).trim(); }

try {
	await page.goto(`${BASE}/device/lab`);
	ok((await page.title()).startsWith('Device Certificate Enrollment'), 'form: title');
	ok((await text('main')).includes('Fill in the fields below to enroll a certificate'), 'form: the guide\'s lead');
	ok(await text('#profile') === 'Device', 'form: the one profile shown as text');
	ok(await text('#term') === '1 year', 'form: the one term shown as text');
	await snap('form');

	// A weak key: refused, email kept, nothing recorded.
	const before = sql('SELECT COUNT(*) FROM request');
	await page.getByLabel('Email').fill('ops@example.com');
	await page.fill('#csr', fs.readFileSync(path.join(WORK, 'weak.csr'), 'utf8'));
	await page.getByRole('button', { name: 'Submit' }).click();
	ok((await text('.box.error')).includes('at least 2048 bits'), 'weak key: message');
	ok(await page.inputValue('#email') === 'ops@example.com', 'weak key: email kept');
	ok(sql('SELECT COUNT(*) FROM request') === before, 'weak key: no request');
	await snap('error');

	// The CSR uploaded as a file, then Submit.
	await page.fill('#csr', '');
	await page.setInputFiles('#csrFile', path.join(WORK, 'gw.csr'));
	await page.getByRole('button', { name: 'Submit' }).click();
	ok((await text('.box.success')).includes('submitted successfully'), 'submit: confirmation');
	const id = await text('#certId');
	ok(/^[0-9a-f]{24}$/.test(id), `submit: certificate ID ${id}`);
	ok(sql(`SELECT status FROM request WHERE cert_id='${id}'`) === 'Requested', 'submit: Requested');
	ok(mailWith(id) !== null, 'submit: awaiting-approval mail');
	await snap('done');

	// Approved by the administrator, collected from the mail's link.
	cdadm('request', 'approve', id);
	const mail = mailWith(`collect?id=${id}`);
	ok(mail !== null, 'collection mail after approval');
	await page.goto(`${BASE}/collect?id=${id}`);
	ok((await text('main')).includes('gw.example.com'), 'collect page names the device');
	await snap('collect');
} catch (e) {
	ok(false, `browser flow: ${e.message.split('\n')[0]}`);
	try { await page.screenshot({ path: path.join(OUT, 'failure.png'), fullPage: true }); } catch { }
} finally {
	await context.close();
	fs.rmSync(userData, { recursive: true, force: true });
}
console.log(`device_browser.mjs: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
