// bulk_browser.mjs: the Bulk Enrollment Form clicked through in headless
// Chromium against a running instance: the access code, a CSV with errors
// (every one listed above the form), the sample CSV submitted, the
// request's status page, approval with the CLI and a download from the
// mail's link under the p12 passphrase.  Driven by test_bulk_browser.sh,
// which sets BASE, INSTANCE, ROOT, OUT, WORK (with bad.csv) and
// CERTDESK_CONF.
import fs from 'node:fs';
import path from 'node:path';
import { ok, sql, cdadm, mailWith, snap, text, run } from './browser_lib.mjs';

const { BASE, ROOT, WORK } = process.env;
const PASS = 'browser-bulk-2026';

await run('bulk_browser.mjs', async (page) => {
	await page.goto(`${BASE}/bulkenroll`);
	ok((await page.title()).startsWith('Bulk Enrollment Form'), 'step 1: title');
	ok((await text('main')).includes('Fill in the fields below to Bulk Enroll certificates'), 'step 1: the guide\'s lead');
	await snap('step1');
	await page.getByLabel('Access Code').fill('demo-bulk-2026');
	await page.getByLabel('Email').fill('ops@example.com');
	await page.getByRole('button', { name: 'Check Access Code' }).click();
	ok(await page.locator('#csvFile').count() === 1, 'step 2: the full form');
	await snap('form');

	// A CSV with errors: every one listed, the form kept, nothing stored.
	await page.fill('#p12Passphrase', PASS);
	await page.fill('#p12Passphrase2', PASS);
	await page.setInputFiles('#csvFile', path.join(WORK, 'bad.csv'));
	await page.getByRole('button', { name: 'Submit' }).click();
	const errors = await text('#csv-errors');
	ok(errors.includes('CSV file parsing error(s):'), 'errors: the guide\'s heading');
	ok(errors.includes("Line 2 - Required field 'commonName' is not specified."), 'errors: line 2');
	ok(errors.includes("Line 3 - field 'certType' contains disallowed value: Elite"), 'errors: line 3');
	ok(await page.locator('#csvFile').count() === 1, 'errors: form shown again');
	ok(sql('SELECT COUNT(*) FROM bulk_request') === '0', 'errors: nothing stored');
	await snap('errors');

	// The README's sample, submitted.
	await page.fill('#p12Passphrase', PASS);
	await page.fill('#p12Passphrase2', PASS);
	await page.setInputFiles('#csvFile', path.join(ROOT, 'tests', 'data', 'bulk-sample.csv'));
	await page.getByRole('button', { name: 'Submit' }).click();
	ok((await text('.box.success')).includes('has been submitted'), 'submit: confirmation');
	const id = await text('#berId');
	ok(mailWith('SSL Bulk Awaiting Approval') !== null, 'submit: awaiting-approval mail');
	await snap('done');
	await page.click('#status-link');
	ok(await text('#ber-status') === 'Awaiting Approval', 'status page: Awaiting Approval');
	await snap('status');

	cdadm('bulk', 'approve', id);
	await page.reload();
	ok(await text('#ber-status') === 'Successful', 'status page: Successful after approval');
	await snap('status-done');

	const mail = mailWith('SSL Bulk Enroll Completed');
	ok(mail !== null, 'completion mail');
	const link = mail.match(/http:\S+scr=1\b/);
	ok(link !== null, 'completion mail has the first link');
	await page.goto(link[0]);
	await snap('download');
	await page.getByLabel('p12 passphrase').fill(PASS);
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByRole('button', { name: 'Download' }).click(),
	]);
	ok(download.suggestedFilename() === '1-www.example.com.p12', `download: ${download.suggestedFilename()}`);
	const file = path.join(WORK, 'dl.p12');
	await download.saveAs(file);
	ok(fs.statSync(file).size > 1000, 'download: a PKCS#12 file');
});
