-- certdesk schema: bulk SSL enrollment (SPEC 4.4, guide 4220-4290).
-- The first bulk tables were never written to; they are replaced.
--
-- The p12 passphrase is stored nowhere, not even hashed: the request's
-- private key, encrypted under it, is what tells a right passphrase from
-- a wrong one at download, and a hash beside it would only give a
-- guesser a faster test than PBKDF2 over the key.
DROP TABLE bulk_item;
DROP TABLE bulk_request;

-- A bulk enrollment request (BER).
CREATE TABLE bulk_request (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	account_id	INTEGER NOT NULL REFERENCES account(id),
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	requester_email	TEXT NOT NULL,
	key_type	TEXT NOT NULL,		-- "rsa2048", ... (keygen_type_parse)
	status		TEXT NOT NULL CHECK (status IN ('Awaiting Approval',
			    'Approving', 'Approved', 'Declined', 'Failed',
			    'Successful')),
	-- The per-request key pair: the public half seals every key made at
	-- approval; the private half is a PKCS#8 EncryptedPrivateKeyInfo
	-- (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) under the p12 passphrase.
	recipient_der	BLOB NOT NULL,	-- a self-signed certificate of it: CMS names recipients by certificate
	privkey_p8	BLOB NOT NULL,
	status_token_hmac TEXT NOT NULL UNIQUE,	-- the status page's link
	download_token_hmac TEXT UNIQUE,	-- the mailed links (NULL: none valid)
	download_expires INTEGER,
	purge_after	INTEGER,		-- sealed keys go after this
	created		INTEGER NOT NULL,
	completed_at	INTEGER
);
CREATE INDEX bulk_request_customer ON bulk_request (customer_id, status);

-- A single certificate request (SCR): one CSV line; its ICR is request_id.
CREATE TABLE bulk_item (
	id		INTEGER PRIMARY KEY,
	bulk_id		INTEGER NOT NULL REFERENCES bulk_request(id),
	scr		INTEGER NOT NULL,	-- 1.. in file order
	line		INTEGER NOT NULL,	-- in the CSV file
	common_name	TEXT NOT NULL,
	names		TEXT NOT NULL,		-- "cn[,san...]"
	profile_id	INTEGER NOT NULL REFERENCES profile(id),
	term_days	INTEGER NOT NULL,
	server_software	TEXT NOT NULL,
	status		TEXT NOT NULL CHECK (status IN ('Awaiting Approval',
			    'Approved', 'Declined', 'Failed', 'Issued')),
	request_id	INTEGER UNIQUE REFERENCES request(id),
	-- CMS EnvelopedData (AES-256-GCM AuthEnvelopedData for EC) of the
	-- certificate's PKCS#8 private key, to the request's public key.
	sealed_key	BLOB,
	reason		TEXT NOT NULL DEFAULT '',
	UNIQUE (bulk_id, scr)
);
