// smime_browser.mjs: client (S/MIME) certificates clicked through in
// headless Chromium against a running instance: access-code enrollment
// through the validation mail to the PKCS#12 download (only with this
// browser's pick-up cookie), secret-ID enrollment, invitation and User
// Registration, renewal through the validation mail (the old serial on
// the CRL as superseded) and revocation from the list.  Driven by
// test_smime_browser.sh, which sets BASE, INSTANCE, ROOT, OUT, WORK and
// CERTDESK_CONF.  Prints "  ok"/"  FAIL" lines and a summary.
import fs from 'node:fs';
import path from 'node:path';
import { ok, sh, sql, cdadm, mailWith, snap, text, run } from './browser_lib.mjs';

const { BASE, WORK } = process.env;

// Downloads the first PKCS#12 of the collection page and opens it with
// openssl (no -legacy); returns the PEM it holds, or "".
async function pkcs12(page, name, password) {
	const [dl] = await Promise.all([
		page.waitForEvent('download'),
		page.locator('#pkcs12 a').first().click(),
	]);
	const file = path.join(WORK, `${name}.p12`);
	await dl.saveAs(file);
	ok(/\.p12$/.test(dl.suggestedFilename()), `${name}: file ${dl.suggestedFilename()}`);
	try {
		return sh('openssl', ['pkcs12', '-in', file, '-passin', `pass:${password}`, '-noenc']);
	} catch {
		return '';
	}
}

// Fetches the CRL and returns its text.
async function crlText(page) {
	const caName = sql('SELECT name FROM ca ORDER BY id LIMIT 1');
	// lighttpd keeps a file's stat for a second: wait for a fresh one.
	await page.waitForTimeout(1100);
	const resp = await page.request.get(`${BASE}/crl/${caName}.crl`);
	const file = path.join(WORK, 'ca.crl');
	fs.writeFileSync(file, await resp.body());
	return sh('openssl', ['crl', '-inform', 'DER', '-in', file, '-text', '-noout']);
}

await run('smime_browser.mjs', async (page) => {
	// The menu and access-code step 1.
	await page.goto(`${BASE}/smime`);
	ok((await page.title()).startsWith('Client Certificate Management'), 'menu: title');
	await snap('menu');
	await page.getByRole('link', { name: 'Certificate enrollment by AccessCode' }).click();
	await snap('enroll-step1');
	await page.getByLabel('Access Code').fill('demo-smime-2026');
	await page.getByLabel('Email Address').fill('alice@example.com');
	await page.getByRole('button', { name: 'Check Access Code' }).click();
	ok(await page.locator('#lastName').count() === 1, 'Client Certificate Enrollment form');
	await snap('enroll-form');

	// The form: EULA unticked first, refused with the input kept.
	const before = sql('SELECT COUNT(*) FROM request');
	await page.getByLabel('First Name').fill('Alice');
	await page.getByLabel('Last Name').fill('Smith');
	await page.selectOption('#profile', 'Client Authentication and Email');
	await page.selectOption('#term', '365');
	await page.selectOption('#keyType', 'ec256');
	await page.fill('#passphrase', 'alice-passphrase-1');
	await page.fill('#passphrase2', 'alice-passphrase-1');
	await page.getByRole('button', { name: 'Enroll' }).click();
	ok((await text('.box.error')).includes('EULA'), 'EULA unticked: message');
	ok(await page.inputValue('#lastName') === 'Smith', 'EULA unticked: name kept');
	ok(await page.inputValue('#passphrase') === '', 'EULA unticked: passphrase not echoed');
	ok(sql('SELECT COUNT(*) FROM request') === before, 'EULA unticked: nothing recorded');
	await snap('enroll-error');
	await page.fill('#passphrase', 'alice-passphrase-1');
	await page.fill('#passphrase2', 'alice-passphrase-1');
	await page.check('#eula');
	await page.getByRole('button', { name: 'Enroll' }).click();
	ok((await text('main')).includes('You have requested a Client Certificate'), 'confirmation page');
	ok(sql("SELECT status FROM request ORDER BY id DESC LIMIT 1") === 'Awaiting validation', 'request awaits validation');
	await snap('enroll-confirm');

	// The validation mail's link, Account Validation, a short password first.
	const mail = mailWith('You have requested email certificate validation');
	ok(mail !== null, 'validation mail written');
	const link = mail && mail.match(/https?:\/\/\S+validate\?requestCode=\S+/)[0];
	await page.goto(link);
	ok((await page.title()).startsWith('Account Validation'), 'Account Validation page');
	await snap('validate');
	await page.fill('#password', 'short');
	await page.fill('#password2', 'short');
	await page.getByRole('button', { name: 'Validate' }).click();
	ok((await text('.box.error')).includes('at least 8'), 'short password: message');
	await snap('validate-error');
	await page.fill('#password', 'alice-pkcs12-pw');
	await page.fill('#password2', 'alice-pkcs12-pw');
	await page.getByRole('button', { name: 'Validate' }).click();
	ok(page.url().includes('/collect?id='), 'validated: collection page');
	ok((await text('#status')) === 'Issued', 'collection page: Issued');
	await snap('collect');
	const id1 = new URL(page.url()).searchParams.get('id');
	let pem = await pkcs12(page, 'alice', 'alice-pkcs12-pw');
	ok(pem.includes('BEGIN PRIVATE KEY') && pem.includes('BEGIN CERTIFICATE'),
	    'PKCS#12 opens with openssl: key and certificate');
	const serial1 = sql(`SELECT serial FROM request WHERE cert_id='${id1}'`);
	// The files came with the pick-up cookie of this browser; the ID alone gets none.
	const pc = (await page.context().cookies()).find((k) => k.name === `cd_p12_${id1}`);
	ok(pc !== undefined && pc.httpOnly && pc.sameSite === 'Strict' &&
	    pc.path === new URL(`${BASE}/collect`).pathname, 'pick-up cookie: HttpOnly, SameSite=Strict, collect only');
	ok(!page.url().includes(pc ? pc.value : '-'), 'pick-up secret not in the URL');
	const bare = await fetch(`${BASE}/collect?id=${id1}&p12=modern`);
	ok(bare.status === 403 && (await bare.text()).includes('browser that completed the enrollment'),
	    'PKCS#12 by ID alone, from elsewhere: refused with the reason');

	// Enrollment by secret ID (the demo person).
	await page.goto(`${BASE}/smime`);
	await page.getByRole('link', { name: 'Certificate enrollment by SecretID' }).click();
	ok((await page.title()).startsWith('Digital Certificate Download'), 'secret ID: Digital Certificate Download');
	await snap('sid-step1');
	await page.getByLabel('Email Address').fill('dana@example.com');
	await page.getByLabel('Secret identifier').fill('demo-secret-2026');
	await page.getByRole('button', { name: 'Next' }).click();
	ok(await page.locator('#password2').count() === 1, 'secret ID: the enrollment form');
	await snap('sid-form');
	await page.selectOption('#keyType', 'rsa2048');
	await page.fill('#password', 'dana-pkcs12-pw');
	await page.fill('#password2', 'dana-pkcs12-pw');
	await page.fill('#passphrase', 'dana-passphrase-1');
	await page.fill('#passphrase2', 'dana-passphrase-1');
	await page.check('#eula');
	await page.getByRole('button', { name: 'Enroll' }).click();
	ok(page.url().includes('/collect?id='), 'secret ID: issued at once, collection page');
	await snap('sid-collect');
	pem = await pkcs12(page, 'dana', 'dana-pkcs12-pw');
	ok(pem.includes('BEGIN PRIVATE KEY'), 'secret ID: PKCS#12 opens');

	// Invitation and User Registration.
	cdadm('person', 'add', 'erin@example.com', '--org', 'Demo Org', '--dept', 'IT',
	    '--first', 'Erin', '--last', 'Green');
	cdadm('person', 'invite', 'erin@example.com', '--account', 'smime');
	const inv = mailWith('erin%40example.com');
	ok(inv !== null, 'invitation mail written');
	await page.goto(inv.match(/https?:\/\/\S+validate\?requestCode=\S+/)[0]);
	ok((await page.title()).startsWith('User Registration'), 'User Registration page');
	await snap('register');
	await page.fill('#password', 'erin-pkcs12-pw');
	await page.fill('#password2', 'erin-pkcs12-pw');
	await page.fill('#passphrase', 'erin-passphrase-1');
	await page.fill('#passphrase2', 'erin-passphrase-1');
	await page.check('#eula');
	await page.getByRole('button', { name: 'Submit' }).click();
	ok(page.url().includes('/collect?id='), 'registered: collection page');
	pem = await pkcs12(page, 'erin', 'erin-pkcs12-pw');
	ok(pem.includes('BEGIN PRIVATE KEY'), 'registration: PKCS#12 opens');

	// Renewal by access code: the old certificate superseded on the CRL.
	await page.goto(`${BASE}/smime`);
	await page.getByRole('link', { name: 'Certificate renewal by AccessCode' }).click();
	await snap('renew');
	await page.getByLabel('Email Address').fill('alice@example.com');
	await page.getByLabel('Access Code').fill('demo-smime-2026');
	await page.fill('#passphrase', 'alice-passphrase-1');
	await page.getByRole('button', { name: 'Next' }).click();
	ok(await page.locator(`input[name="certId"][value="${id1}"]`).isChecked(), 'renewal: the certificate chosen');
	await snap('renew-form');
	ok(await page.locator('#password').count() === 0, 'renewal by access code: no password here');
	await page.getByRole('button', { name: 'Renew' }).click();
	ok((await text('main')).includes(`renewal of the Client Certificate ${id1}`), 'renewal: confirmation, nothing issued yet');
	await snap('renew-confirm');
	// Only the mailbox owner completes it, and chooses the password there.
	const rmail = mailWith('renewal of your email certificate');
	ok(rmail !== null, 'renewal: validation mail written');
	await page.goto(rmail.match(/https?:\/\/\S+validate\?requestCode=\S+/)[0]);
	await page.fill('#password', 'alice-pkcs12-pw2');
	await page.fill('#password2', 'alice-pkcs12-pw2');
	await page.getByRole('button', { name: 'Validate' }).click();
	ok(page.url().includes('/collect?id='), 'renewed: collection page');
	ok(mailWith('has been renewed') !== null, 'renewal: the owner is told');
	const id2 = new URL(page.url()).searchParams.get('id');
	ok(id2 !== id1, 'renewal: a new certificate');
	pem = await pkcs12(page, 'alice-renewed', 'alice-pkcs12-pw2');
	ok(pem.includes('BEGIN PRIVATE KEY'), 'renewal: PKCS#12 opens');
	let crl = await crlText(page);
	ok(crl.includes(`Serial Number: ${serial1}`) && crl.includes('Superseded'),
	    `renewal: old serial ${serial1} on the CRL as superseded`);

	// Revocation from the list.
	await page.goto(`${BASE}/smime`);
	await page.getByRole('link', { name: 'Certificate revocation' }).click();
	await snap('revoke');
	await page.getByLabel('Email').fill('alice@example.com');
	await page.fill('#passphrase', 'alice-passphrase-1');
	await page.getByRole('button', { name: 'Next' }).click();
	await snap('revoke-list');
	await page.locator(`input[type="checkbox"][value="${id2}"]`).check();
	await page.selectOption('#reason', 'keyCompromise');
	await page.getByRole('button', { name: 'Revoke' }).click();
	ok((await text('.box.success')).includes('revoked'), 'revocation: confirmed');
	ok(sql(`SELECT status FROM request WHERE cert_id='${id2}'`) === 'Revoked', 'revocation: Revoked');
	await snap('revoked');
	const serial2 = sql(`SELECT serial FROM request WHERE cert_id='${id2}'`);
	crl = await crlText(page);
	ok(crl.includes(`Serial Number: ${serial2}`), `revocation: serial ${serial2} on the CRL`);
	ok(mailWith('Your certificate was revoked') !== null, 'revocation email');
});
