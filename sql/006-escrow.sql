-- certdesk schema: key escrow as SPEC 4.3 has it.  Nothing was escrowed
-- before this version, so the three tables of 001 are made anew:
-- a tier key keeps its self-signed certificate (what stock tools name
-- the recipient by), key type and state; a request may hold two blobs
-- while a re-encryption runs (the current one and the pending one that
-- replaces it); a recipient row names the tier, key id and version it
-- was sealed to, so the record survives the key's retirement.
DROP TABLE escrow_recipient;
DROP TABLE escrow_blob;
DROP TABLE escrow_key;

CREATE TABLE escrow_key (
	id		INTEGER PRIMARY KEY,
	customer_id	INTEGER NOT NULL REFERENCES customer(id),
	tier		TEXT NOT NULL CHECK (tier IN ('master', 'organization', 'department')),
	org_id		INTEGER REFERENCES organization(id),
	dept_id		INTEGER REFERENCES department(id),
	version		INTEGER NOT NULL,
	key_id		TEXT NOT NULL,			-- hex Subject Key Identifier of cert_der
	key_type	TEXT NOT NULL,			-- rsa3072, rsa4096, ec384
	cert_der	BLOB NOT NULL,			-- self-signed; the private key is never stored
	state		TEXT NOT NULL CHECK (state IN ('pending', 'active', 'retired')),
	created		INTEGER NOT NULL
);
-- One active key per tier and scope (the customer, an org, a department).
CREATE UNIQUE INDEX escrow_key_active ON escrow_key
	(customer_id, tier, IFNULL(org_id, 0), IFNULL(dept_id, 0)) WHERE state = 'active';
CREATE UNIQUE INDEX escrow_key_version ON escrow_key
	(customer_id, tier, IFNULL(org_id, 0), IFNULL(dept_id, 0), version);

CREATE TABLE escrow_blob (
	id		INTEGER PRIMARY KEY,
	request_id	INTEGER NOT NULL REFERENCES request(id),
	cms_der		BLOB NOT NULL,			-- AuthEnvelopedData of the PKCS#8 key
	state		TEXT NOT NULL CHECK (state IN ('current', 'pending')),
	created		INTEGER NOT NULL
);
CREATE UNIQUE INDEX escrow_blob_current ON escrow_blob (request_id) WHERE state = 'current';

CREATE TABLE escrow_recipient (
	blob_id		INTEGER NOT NULL REFERENCES escrow_blob(id) ON DELETE CASCADE,
	escrow_key_id	INTEGER NOT NULL REFERENCES escrow_key(id),
	tier		TEXT NOT NULL,
	key_id		TEXT NOT NULL,
	version		INTEGER NOT NULL,
	PRIMARY KEY (blob_id, escrow_key_id)
);
CREATE INDEX escrow_recipient_key ON escrow_recipient (escrow_key_id);
