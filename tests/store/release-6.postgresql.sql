-- The schema as the previous release (stop 6, create_all) created it on PostgreSQL.
CREATE TABLE call_legs (
	id SERIAL NOT NULL, 
	call_sid VARCHAR(64) NOT NULL, 
	step INTEGER NOT NULL, 
	target VARCHAR(64) NOT NULL, 
	number VARCHAR(200) NOT NULL, 
	dial_call_sid VARCHAR(64), 
	status VARCHAR(20), 
	duration_seconds INTEGER, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_sid, step)
);
CREATE TABLE calls (
	id SERIAL NOT NULL, 
	call_sid VARCHAR(64) NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	caller VARCHAR(32) NOT NULL, 
	called VARCHAR(32) NOT NULL, 
	started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	was_open BOOLEAN NOT NULL, 
	reason VARCHAR(300), 
	chain VARCHAR(500) NOT NULL, 
	outcome VARCHAR(20), 
	office_id VARCHAR(64), 
	recording_url VARCHAR(500), 
	recording_seconds INTEGER, 
	status VARCHAR(20), 
	duration_seconds INTEGER, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_sid)
);
CREATE INDEX ix_calls_practice_id ON calls (practice_id);
CREATE TABLE follow_ups (
	id SERIAL NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	period_key VARCHAR(300) NOT NULL, 
	patient VARCHAR(32) NOT NULL, 
	done_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (practice_id, period_key, patient)
);
CREATE TABLE messages (
	id SERIAL NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	purpose VARCHAR(40) NOT NULL, 
	recipient VARCHAR(320) NOT NULL, 
	sender VARCHAR(32), 
	subject VARCHAR(300), 
	body TEXT NOT NULL, 
	html TEXT, 
	state VARCHAR(12) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	claimed_until TIMESTAMP WITHOUT TIME ZONE, 
	last_error VARCHAR(500), 
	error_code INTEGER, 
	provider_id VARCHAR(200), 
	segments INTEGER, 
	dedupe_key VARCHAR(300), 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (provider_id), 
	UNIQUE (dedupe_key)
);
CREATE INDEX ix_messages_practice_id ON messages (practice_id);
CREATE INDEX ix_messages_state ON messages (state);
CREATE TABLE notices (
	id SERIAL NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	office_id VARCHAR(64) NOT NULL, 
	period_key VARCHAR(300) NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	slot VARCHAR(40) NOT NULL, 
	version VARCHAR(20) NOT NULL, 
	period_start TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	period_end TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	state VARCHAR(12) NOT NULL, 
	message_id INTEGER, 
	created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (practice_id, office_id, period_key, kind, slot)
);
CREATE TABLE opt_outs (
	number VARCHAR(32) NOT NULL, 
	keyword VARCHAR(20) NOT NULL, 
	at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (number)
);
CREATE TABLE texts (
	id SERIAL NOT NULL, 
	message_sid VARCHAR(64) NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	sender VARCHAR(32) NOT NULL, 
	called VARCHAR(32) NOT NULL, 
	body TEXT NOT NULL, 
	media TEXT NOT NULL, 
	received_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	was_open BOOLEAN, 
	reason VARCHAR(300), 
	handling VARCHAR(20), 
	forwarded_to VARCHAR(320), 
	office_id VARCHAR(64), 
	replied BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (message_sid)
);
CREATE INDEX ix_texts_practice_id ON texts (practice_id);
-- The same rows as in release-6.sqlite.sql.
INSERT INTO "call_legs" VALUES(1,'CAold1',0,'cabinet-martin','+33142001122','CAleg1','no-answer',0,'2026-11-20 09:30:00.000000');
INSERT INTO "calls" VALUES(1,'CAold1','cabinet-dupont','+33698765432','+33186951234','2026-11-20 09:30:00.000000',false,'Congés','cabinet-martin,permanence-sante','voicemail',NULL,'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',23,'completed',80,'2026-11-20 09:30:00.000000');
INSERT INTO "follow_ups" VALUES(1,'cabinet-dupont','k1','+33698765432','2026-11-20 09:30:00.000000');
INSERT INTO "messages" VALUES(1,'sms','cabinet-dupont','auto_reply','+33698765432','+33186951234',NULL,'Le cabinet est fermé.',NULL,'queued',0,'2026-11-20 09:30:00.000000',NULL,NULL,NULL,NULL,NULL,'auto_reply:x','2026-11-20 09:30:00.000000','2026-11-20 09:30:00.000000');
INSERT INTO "notices" VALUES(1,'cabinet-dupont','cabinet-martin','k1','briefing','7d','v1','2026-11-20 09:30:00.000000','2026-11-20 09:30:00.000000','queued',1,'2026-11-20 09:30:00.000000');
INSERT INTO "opt_outs" VALUES('+33611111111','STOP','2026-11-20 09:30:00.000000');
INSERT INTO "texts" VALUES(1,'SMold1','cabinet-dupont','+33698765432','+33186951234','J''ai mal aux dents','','2026-11-20 09:30:00.000000',false,'Congés','forwarded','+33612345678','cabinet-martin',false);
SELECT setval(pg_get_serial_sequence('call_legs', 'id'), (SELECT max(id) FROM call_legs));
SELECT setval(pg_get_serial_sequence('calls', 'id'), (SELECT max(id) FROM calls));
SELECT setval(pg_get_serial_sequence('follow_ups', 'id'), (SELECT max(id) FROM follow_ups));
SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages));
SELECT setval(pg_get_serial_sequence('notices', 'id'), (SELECT max(id) FROM notices));
SELECT setval(pg_get_serial_sequence('texts', 'id'), (SELECT max(id) FROM texts));
