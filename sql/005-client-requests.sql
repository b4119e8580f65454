-- certdesk schema: what a client (S/MIME) request carries between the
-- form and the validation page, where the key is made.  The person is
-- created only at issuance, so the names wait on the request.
ALTER TABLE request ADD COLUMN key_type TEXT NOT NULL DEFAULT '';
ALTER TABLE request ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE request ADD COLUMN middle_name TEXT NOT NULL DEFAULT '';
ALTER TABLE request ADD COLUMN last_name TEXT NOT NULL DEFAULT '';

-- The PKCS#12 pick-up holds one file per encoding (modern, compatible);
-- nothing was ever stored in the one-file table.
DROP TABLE p12_pickup;
CREATE TABLE p12_pickup (
	request_id	INTEGER NOT NULL REFERENCES request(id),
	encoding	TEXT NOT NULL CHECK (encoding IN ('modern', 'compatible')),
	p12_der		BLOB NOT NULL,
	expires		INTEGER NOT NULL,
	PRIMARY KEY (request_id, encoding)
);
