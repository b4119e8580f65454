// ssl_browser.mjs: SSL self-enrollment clicked through in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium) against a running instance.
// Driven by test_ssl_browser.sh, which sets BASE, INSTANCE, ROOT, OUT, WORK
// (with www.csr made by openssl) and CERTDESK_CONF.  Prints "  ok"/"  FAIL"
// lines and a summary like the shell tests.
import fs from 'node:fs';
import path from 'node:path';
import { ok, sh, sql, cdadm, mailWith, snap, text, run } from './browser_lib.mjs';

const { BASE, WORK } = process.env;

// The PEM certificates of a file, in order.
function pemCerts(text) {
	return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) || [];
}
function pubkey(pem) { return sh('openssl', ['x509', '-pubkey', '-noout'], pem); }
function fingerprint(pem) { return sh('openssl', ['x509', '-fingerprint', '-sha256', '-noout'], pem); }

const csrPub = sh('openssl', ['req', '-in', path.join(WORK, 'www.csr'), '-pubkey', '-noout']);
const csrPem = fs.readFileSync(path.join(WORK, 'www.csr'), 'utf8');
const rootPem = sql('SELECT cert_pem FROM ca ORDER BY id LIMIT 1') + '\n';
fs.writeFileSync(path.join(WORK, 'root.pem'), rootPem);

await run('ssl_browser.mjs', async (page) => {
	// Menu and enrollment step 1.
	await page.goto(`${BASE}/ssl`);
	ok((await page.title()).startsWith('SSL Certificate Management'), 'menu: title');
	await snap('menu');
	await page.getByRole('link', { name: 'Certificate enrollment' }).click();
	await snap('enroll-step1');
	await page.getByLabel('Access Code').fill('demo-ssl-2026');
	await page.getByLabel('Email').fill('alice@example.com');
	await page.getByRole('button', { name: 'Check Access Code' }).click();
	ok(await page.locator('#csr').count() === 1, 'step 2 form after the access code');
	await snap('enroll-step2');

	// Step 2: profile, term, CSR pasted, Get CN from CSR.
	await page.selectOption('#profile', 'SSL Multi-Domain');
	await page.selectOption('#term', '365');
	await page.fill('#csr', csrPem);
	await page.getByRole('button', { name: 'Get CN from CSR' }).click();
	ok(await page.inputValue('#commonName') === 'www.example.com', 'Get CN from CSR fills the Common Name');
	ok(await page.inputValue('#sans') === 'api.example.com', 'Get CN from CSR fills the other SANs');
	ok(await page.inputValue('#profile') === 'SSL Multi-Domain', 'Get CN keeps the chosen profile');
	await snap('enroll-getcn');

	// Enroll without the EULA: refused, input kept, nothing recorded.
	const before = sql('SELECT COUNT(*) FROM request');
	await page.fill('#passphrase', 'browser-pass-1');
	await page.fill('#passphrase2', 'browser-pass-1');
	await page.getByRole('button', { name: 'Enroll' }).click();
	ok((await text('.box.error')).includes('EULA'), 'EULA unticked: message');
	ok(await page.inputValue('#commonName') === 'www.example.com', 'EULA unticked: Common Name kept');
	ok(await page.inputValue('#passphrase') === '', 'EULA unticked: passphrase not echoed');
	ok(sql('SELECT COUNT(*) FROM request') === before, 'EULA unticked: no request');
	await snap('enroll-error');

	await page.fill('#passphrase', 'browser-pass-1');
	await page.fill('#passphrase2', 'browser-pass-1');
	await page.check('#eula');
	await page.getByRole('button', { name: 'Enroll' }).click();
	const id1 = await text('#certId');
	ok(/^[0-9a-f]{24}$/.test(id1), `enrolled: certificate ID ${id1}`);
	ok(sql(`SELECT status FROM request WHERE cert_id='${id1}'`) === 'Requested', 'enrolled: Requested');
	await snap('enroll-done');

	// Approval by the administrator's CLI; the collection email's link.
	cdadm('request', 'approve', id1);
	const mail = mailWith(`collect?id=${id1}`);
	ok(mail !== null, 'collection email written');
	const link = mail && mail.match(/https?:\/\/\S+collect\?id=[0-9a-f]+/)[0];
	await page.goto(link);
	ok((await text('#status')) === 'Issued', 'collection page: Issued');
	await snap('collect');

	// The seven formats, downloaded by clicking, checked with openssl.
	const expect = {
		'Certificate only, PEM encoded': 'www_example_com_cert.cer',
		'Certificate (w/ issuer after), PEM encoded': 'www_example_com.pem',
		'Certificate (w/ chain), PEM encoded': 'www_example_com.cer',
		'PKCS#7': 'www_example_com.p7b',
		'PKCS#7, PEM encoded': 'www_example_com.crt',
		'Intermediate(s)/Root only, PEM encoded': 'www_example_com_interm.cer',
		'Root/Intermediate(s) only, PEM encoded': 'www_example_com_interm_reverse.cer',
	};
	const files = {};
	for (const [label, name] of Object.entries(expect)) {
		const [dl] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: label, exact: true }).click(),
		]);
		ok(dl.suggestedFilename() === name, `${label}: file name ${dl.suggestedFilename()}`);
		files[label] = path.join(WORK, name);
		await dl.saveAs(files[label]);
	}
	const read = (l) => fs.readFileSync(files[l], 'latin1');
	const root = fingerprint(rootPem);
	let certs = pemCerts(read('Certificate only, PEM encoded'));
	ok(certs.length === 1 && pubkey(certs[0]) === csrPub, 'certificate only: one certificate with the CSR key');
	certs = pemCerts(read('Certificate (w/ issuer after), PEM encoded'));
	ok(certs.length === 2 && pubkey(certs[0]) === csrPub && fingerprint(certs[1]) === root,
	    'issuer after: leaf, then the root');
	let verify = sh('openssl', ['verify', '-CAfile', path.join(WORK, 'root.pem'),
	    '-untrusted', files['Certificate (w/ issuer after), PEM encoded'],
	    files['Certificate (w/ issuer after), PEM encoded']]);
	ok(verify.includes(': OK'), 'issuer after: openssl verify -CAfile OK');
	certs = pemCerts(read('Certificate (w/ chain), PEM encoded'));
	ok(certs.length === 2 && fingerprint(certs[0]) === root && pubkey(certs[1]) === csrPub,
	    'with chain: root first, leaf last');
	for (const [label, inform] of [['PKCS#7', 'DER'], ['PKCS#7, PEM encoded', 'PEM']]) {
		const p7 = sh('openssl', ['pkcs7', '-inform', inform, '-in', files[label], '-print_certs']);
		certs = pemCerts(p7);
		ok(certs.length === 2 && pubkey(certs[0]) === csrPub && fingerprint(certs[1]) === root,
		    `${label}: leaf then root`);
	}
	ok(read('PKCS#7').charCodeAt(0) === 0x30, 'PKCS#7 (.p7b) is DER');
	for (const label of ['Intermediate(s)/Root only, PEM encoded', 'Root/Intermediate(s) only, PEM encoded']) {
		certs = pemCerts(read(label));
		ok(certs.length === 1 && fingerprint(certs[0]) === root, `${label}: the root only`);
	}
	ok(sql(`SELECT collected_at IS NOT NULL FROM request WHERE cert_id='${id1}'`) === '1', 'collected recorded');
	const serial1 = sql(`SELECT serial FROM request WHERE cert_id='${id1}'`);

	// Download from the menu leads to the same page.
	await page.goto(`${BASE}/ssl`);
	await page.getByRole('link', { name: 'Certificate download' }).click();
	await snap('download');
	await page.getByLabel('Your Certificate ID').fill(id1);
	await page.getByRole('button', { name: 'Download' }).click();
	ok(page.url().includes(`/collect?id=${id1}`), 'download from the menu: collection page');

	// Renewal with the passphrase, approval, collection of the renewal.
	await page.goto(`${BASE}/ssl`);
	await page.getByRole('link', { name: 'Certificate renewal' }).click();
	await snap('renew');
	await page.getByLabel('Your Certificate ID').fill(id1);
	await page.getByLabel('Passphrase').fill('browser-pass-1');
	await page.getByRole('button', { name: 'Renew' }).click();
	const id2 = await text('#certId');
	ok(/^[0-9a-f]{24}$/.test(id2) && id2 !== id1, `renewal: new certificate ID ${id2}`);
	ok(sql(`SELECT renewal_of = (SELECT id FROM request WHERE cert_id='${id1}') FROM request WHERE cert_id='${id2}'`) === '1',
	    'renewal: renewal_of set');
	await snap('renew-done');
	cdadm('request', 'approve', id2);
	const mail2 = mailWith(`collect?id=${id2}`);
	ok(mail2 !== null, 'renewal: collection email');
	await page.goto(mail2.match(/https?:\/\/\S+collect\?id=[0-9a-f]+/)[0]);
	ok((await text('#status')) === 'Issued', 'renewal: collection page Issued');
	const [dl2] = await Promise.all([page.waitForEvent('download'),
	    page.getByRole('link', { name: 'Certificate (w/ issuer after), PEM encoded' }).click()]);
	const renewed = path.join(WORK, 'renewed.pem');
	await dl2.saveAs(renewed);
	certs = pemCerts(fs.readFileSync(renewed, 'latin1'));
	ok(certs.length === 2 && pubkey(certs[0]) === csrPub, 'renewal: same key as the CSR');
	verify = sh('openssl', ['verify', '-CAfile', path.join(WORK, 'root.pem'), '-untrusted', renewed, renewed]);
	ok(verify.includes(': OK'), 'renewal: chain verifies');

	// Revocation, then the CRL over HTTP lists the serial.
	await page.goto(`${BASE}/ssl`);
	await page.getByRole('link', { name: 'Certificate revocation' }).click();
	await snap('revoke');
	await page.getByLabel('Your Certificate ID').fill(id1);
	await page.getByLabel('Passphrase').fill('browser-pass-1');
	await page.selectOption('#reason', 'keyCompromise');
	await page.getByLabel('Comments').fill('The server was decommissioned.');
	await page.getByRole('button', { name: 'Revoke' }).click();
	ok((await text('.box.success')).includes('revoked'), 'revocation: confirmed');
	ok(sql(`SELECT status FROM request WHERE cert_id='${id1}'`) === 'Revoked', 'revocation: Revoked');
	await snap('revoke-done');
	const caName = sql('SELECT name FROM ca ORDER BY id LIMIT 1');
	const resp = await page.request.get(`${BASE}/crl/${caName}.crl`);
	ok(resp.status() === 200, 'CRL served over HTTP');
	const crlFile = path.join(WORK, 'ca.crl');
	fs.writeFileSync(crlFile, await resp.body());
	const crl = sh('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-text', '-noout']);
	ok(crl.includes(`Serial Number: ${serial1}`), `CRL lists serial ${serial1}`);
	ok(mailWith('Your certificate was revoked') !== null, 'revocation email');
	await page.goto(`${BASE}/collect?id=${id1}`);
	await snap('collect-revoked');
});
