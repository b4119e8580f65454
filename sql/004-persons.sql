-- certdesk schema, version 4: what the end-user CSV of the guide carries
-- beyond the person record of version 1 (its country and EPPN columns),
-- and the look-ups the person commands and the client forms make.

ALTER TABLE person ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN eppn TEXT NOT NULL DEFAULT '';

-- Emails are stored in lower case; a person is found by email within a
-- customer's organisations (secret-ID enrollment) and a person's
-- certificates by person (revoked on edit and delete).
CREATE INDEX person_email ON person (email);
CREATE INDEX request_person ON request (person_id, status);
CREATE INDEX validation_code_person ON validation_code (person_id);
