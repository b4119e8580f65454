// device_browser.mjs: the device certificate form clicked through in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) against a
// running instance.  Driven by test_device_browser.sh, which sets BASE,
// INSTANCE, ROOT, OUT, WORK (with gw.csr and weak.csr made by openssl) and
// CERTDESK_CONF.  Prints "  ok"/"  FAIL" lines and a summary like the
// shell tests.
import fs from 'node:fs';
import path from 'node:path';
import { ok, sql, cdadm, mailWith, snap, text, run } from './browser_lib.mjs';

const { BASE, WORK } = process.env;

await run('device_browser.mjs', async (page) => {
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
});
