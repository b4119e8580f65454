-- certdesk schema, version 1.  Portable SQL: standard types, no SQLite-only
-- functions, so the same statements can run on PostgreSQL later.
-- Times are seconds since the epoch (INTEGER); secrets are stored only as
-- keyed hashes (HMAC-SHA256, hex) or Argon2id encodings.

CREATE TABLE customer (
	id		INTEGER PRIMARY KEY,
	uri		TEXT NOT NULL UNIQUE,
	name		TEXT NOT NULL,
	created		INTEGER NOT NULL
);

-- The customer's issuing CA.  Keys live outside the database, named by an
-- OSSL_STORE URI (a file today, an HSM tomorrow).
CREATE TABLE ca (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	name		TEXT NOT NULL,
	cert_pem	TEXT NOT NULL,
	key_uri		TEXT NOT NULL,
	chain_pem	TEXT NOT NULL DEFAULT '',	-- intermediates then root, excluding cert_pem
	ra_cert_pem	TEXT,
	ra_key_uri	TEXT,
	next_cert_pem	TEXT,				-- rollover certificate (GetNextCACert)
	crl_number	INTEGER NOT NULL DEFAULT 0,
	created		INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);

CREATE TABLE organization (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	name		TEXT NOT NULL,
	subj_o		TEXT NOT NULL,
	subj_ou		TEXT NOT NULL DEFAULT '',
	subj_l		TEXT NOT NULL DEFAULT '',
	subj_st		TEXT NOT NULL DEFAULT '',
	subj_c		TEXT NOT NULL DEFAULT '',
	admin_email	TEXT NOT NULL DEFAULT '',
	escrow_master	INTEGER NOT NULL DEFAULT 0,	-- fixed at creation
	escrow_org	INTEGER NOT NULL DEFAULT 0,
	created		INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);

CREATE TABLE department (
	id		INTEGER PRIMARY KEY,
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	name		TEXT NOT NULL,
	escrow_dept	INTEGER NOT NULL DEFAULT 0,
	created		INTEGER NOT NULL,
	UNIQUE (org_id, name)
);

-- "example.com" covers itself and its subdomains; "*.example.com" only the
-- wildcard and the names one level below.
CREATE TABLE domain (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	name		TEXT NOT NULL,
	created		INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);

CREATE TABLE delegation (
	id		INTEGER PRIMARY KEY,
	domain_id	INTEGER NOT NULL REFERENCES domain(id),
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	ssl		INTEGER NOT NULL DEFAULT 0,
	smime		INTEGER NOT NULL DEFAULT 0,
	device		INTEGER NOT NULL DEFAULT 0,
	UNIQUE (domain_id, org_id, dept_id)
);

CREATE TABLE profile (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	name		TEXT NOT NULL,
	type		TEXT NOT NULL CHECK (type IN ('ssl', 'smime', 'device')),
	terms		TEXT NOT NULL,		-- days, comma separated: "365,730"
	key_types	TEXT NOT NULL,		-- "rsa2048,rsa3072,rsa4096,ec256,ec384"
	key_usage	TEXT NOT NULL DEFAULT '',	-- "digitalSignature,keyEncipherment"
	ext_key_usage	TEXT NOT NULL DEFAULT '',	-- "serverAuth,clientAuth"
	multi_domain	INTEGER NOT NULL DEFAULT 0,
	wildcard	INTEGER NOT NULL DEFAULT 0,
	description	TEXT NOT NULL DEFAULT '',
	created		INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);

CREATE TABLE endpoint (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	type		TEXT NOT NULL CHECK (type IN ('ssl', 'smime', 'device',
			    'bulk', 'scep-smime', 'scep-device')),
	name		TEXT NOT NULL,
	ext		TEXT NOT NULL DEFAULT '',	-- URI extension, '' = default
	help		TEXT NOT NULL DEFAULT '',
	legacy_des	INTEGER NOT NULL DEFAULT 0,
	created		INTEGER NOT NULL,
	UNIQUE (customer_id, type, ext)
);

CREATE TABLE account (
	id		INTEGER PRIMARY KEY,
	endpoint_id	INTEGER NOT NULL REFERENCES endpoint(id),
	name		TEXT NOT NULL,
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	code_hmac	TEXT NOT NULL,		-- HMAC-SHA256(server key, access code)
	profile_id	INTEGER REFERENCES profile(id),	-- SCEP: the one profile
	term_days	INTEGER NOT NULL DEFAULT 0,	-- SCEP: the one term
	auto_approve	INTEGER NOT NULL DEFAULT 0,
	manual_approval	INTEGER NOT NULL DEFAULT 0,
	revoke_on_renewal INTEGER NOT NULL DEFAULT 0,
	allow_empty_p12	INTEGER NOT NULL DEFAULT 0,
	p12_legacy	INTEGER NOT NULL DEFAULT 0,
	user_csr	INTEGER NOT NULL DEFAULT 0,
	created		INTEGER NOT NULL,
	UNIQUE (endpoint_id, name),
	UNIQUE (endpoint_id, code_hmac)
);

-- Profiles a form account offers (SSL, client, device forms).
CREATE TABLE account_profile (
	account_id	INTEGER NOT NULL REFERENCES account(id),
	profile_id	INTEGER NOT NULL REFERENCES profile(id),
	PRIMARY KEY (account_id, profile_id)
);

CREATE TABLE person (
	id		INTEGER PRIMARY KEY,
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	email		TEXT NOT NULL,
	alt_emails	TEXT NOT NULL DEFAULT '',
	first_name	TEXT NOT NULL DEFAULT '',
	middle_name	TEXT NOT NULL DEFAULT '',
	last_name	TEXT NOT NULL DEFAULT '',
	common_name	TEXT NOT NULL DEFAULT '',
	phone		TEXT NOT NULL DEFAULT '',
	secret_id_hash	TEXT,			-- Argon2id
	secret_failures	INTEGER NOT NULL DEFAULT 0,
	validation_type	TEXT NOT NULL DEFAULT 'standard',
	principal_name	TEXT NOT NULL DEFAULT '',
	created		INTEGER NOT NULL,
	UNIQUE (org_id, email)
);

-- A certificate request and, once issued, its certificate.
CREATE TABLE request (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	cert_id		TEXT NOT NULL UNIQUE,	-- public, random, shown to the requester
	type		TEXT NOT NULL CHECK (type IN ('ssl', 'smime', 'device')),
	via		TEXT NOT NULL CHECK (via IN ('web', 'scep', 'bulk', 'admin')),
	status		TEXT NOT NULL CHECK (status IN ('Invited',
			    'Awaiting validation', 'Requested', 'Approved',
			    'Applied', 'Issued', 'Declined', 'Rejected',
			    'Revoked', 'Expired')),
	account_id	INTEGER REFERENCES account(id),
	profile_id	INTEGER NOT NULL REFERENCES profile(id),
	org_id		INTEGER NOT NULL REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	person_id	INTEGER REFERENCES person(id),
	ca_id		INTEGER REFERENCES ca(id),
	term_days	INTEGER NOT NULL,
	common_name	TEXT NOT NULL DEFAULT '',
	sans		TEXT NOT NULL DEFAULT '',	-- comma separated
	subject		TEXT NOT NULL DEFAULT '',	-- of the issued certificate (RFC 2253)
	csr_der		BLOB,
	cert_der	BLOB,
	serial		TEXT UNIQUE,			-- hex, 128 random bits
	not_before	INTEGER,
	not_after	INTEGER,
	requester_email	TEXT NOT NULL DEFAULT '',
	external_requesters TEXT NOT NULL DEFAULT '',
	comments	TEXT NOT NULL DEFAULT '',
	passphrase_hash	TEXT,				-- Argon2id
	pass_failures	INTEGER NOT NULL DEFAULT 0,
	auto_renew	INTEGER NOT NULL DEFAULT 0,
	auto_renew_days	INTEGER NOT NULL DEFAULT 0,
	server_software	TEXT NOT NULL DEFAULT '',
	renewal_of	INTEGER REFERENCES request(id),
	requested_at	INTEGER NOT NULL,
	approved_at	INTEGER,
	issued_at	INTEGER,
	collected_at	INTEGER,
	revoked_at	INTEGER,
	revoke_reason	INTEGER,			-- RFC 5280 CRLReason
	revoke_comment	TEXT NOT NULL DEFAULT '',
	decline_reason	TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_status ON request (customer_id, status);
CREATE INDEX request_ca_revoked ON request (ca_id, revoked_at);

-- Public keys of the key-escrow tiers; the private halves are never stored.
CREATE TABLE escrow_key (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	tier		TEXT NOT NULL CHECK (tier IN ('master', 'organization', 'department')),
	org_id		INTEGER REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	version		INTEGER NOT NULL,
	key_id		TEXT NOT NULL,			-- hex SHA-256 of the SubjectPublicKeyInfo
	pubkey_pem	TEXT NOT NULL,
	active		INTEGER NOT NULL DEFAULT 1,
	created		INTEGER NOT NULL
);

CREATE TABLE escrow_blob (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL UNIQUE REFERENCES request(id),
	cms_der		BLOB NOT NULL,			-- AuthEnvelopedData of the PKCS#8 key
	created		INTEGER NOT NULL
);

CREATE TABLE escrow_recipient (
	blob_id		INTEGER NOT NULL REFERENCES escrow_blob(id),
	escrow_key_id	INTEGER NOT NULL REFERENCES escrow_key(id),
	PRIMARY KEY (blob_id, escrow_key_id)
);

-- Validation (7 days) and invitation (30 days) codes, single use.
CREATE TABLE validation_code (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER REFERENCES request(id),
	person_id	INTEGER REFERENCES person(id),
	account_id	INTEGER REFERENCES account(id),
	kind		TEXT NOT NULL CHECK (kind IN ('validation', 'invitation')),
	code_hmac	TEXT NOT NULL UNIQUE,
	email		TEXT NOT NULL,
	expires		INTEGER NOT NULL,
	used_at		INTEGER
);

-- One-time PKCS#12 pick-up: kept encrypted by the user's password, 1 hour.
CREATE TABLE p12_pickup (
	request_id	INTEGER PRIMARY KEY REFERENCES request(id),
	p12_der		BLOB NOT NULL,
	expires		INTEGER NOT NULL
);

CREATE TABLE bulk_request (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	account_id	INTEGER NOT NULL REFERENCES account(id),
	requester_email	TEXT NOT NULL,
	key_size	INTEGER NOT NULL,
	passphrase_hash	TEXT NOT NULL,
	status		TEXT NOT NULL,
	download_token_hmac TEXT,
	download_expires INTEGER,
	created		INTEGER NOT NULL
);

CREATE TABLE bulk_item (
	id		INTEGER PRIMARY KEY,
	bulk_id		INTEGER NOT NULL REFERENCES bulk_request(id),
	line		INTEGER NOT NULL,
	request_id	INTEGER REFERENCES request(id),
	status		TEXT NOT NULL,
	p12_der		BLOB,
	UNIQUE (bulk_id, line)
);

-- SCEP transactionID -> outcome, for idempotent retries and CertPoll.
CREATE TABLE scep_txn (
	id		INTEGER PRIMARY KEY,
	endpoint_id	INTEGER NOT NULL REFERENCES endpoint(id),
	transaction_id	TEXT NOT NULL,
	pubkey_sha256	TEXT NOT NULL,
	request_id	INTEGER REFERENCES request(id),
	status		TEXT NOT NULL CHECK (status IN ('pending', 'success', 'failure')),
	fail_info	INTEGER,
	created		INTEGER NOT NULL,
	UNIQUE (endpoint_id, transaction_id)
);

CREATE TABLE scep_challenge (
	id		INTEGER PRIMARY KEY,
	account_id	INTEGER NOT NULL REFERENCES account(id),
	code_hmac	TEXT NOT NULL UNIQUE,
	subject_pattern	TEXT NOT NULL DEFAULT '',
	expires		INTEGER NOT NULL,
	used_at		INTEGER
);

CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,
	customer_id	INTEGER REFERENCES customer(id),
	actor		TEXT NOT NULL,
	action		TEXT NOT NULL,
	object		TEXT NOT NULL DEFAULT '',
	remote		TEXT NOT NULL DEFAULT '',
	outcome		TEXT NOT NULL,
	detail		TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

-- Failed-guess counters: one row per (scope, key) and fixed window.
CREATE TABLE throttle (
	scope		TEXT NOT NULL,
	key		TEXT NOT NULL,
	window_start	INTEGER NOT NULL,
	failures	INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
);
