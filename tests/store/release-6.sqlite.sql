-- The schema and a few rows as the previous release (stop 6, create_all) wrote them, for the migration test.
BEGIN TRANSACTION;
CREATE TABLE call_legs (
	id INTEGER NOT NULL, 
	call_sid VARCHAR(64) NOT NULL, 
	step INTEGER NOT NULL, 
	target VARCHAR(64) NOT NULL, 
	number VARCHAR(200) NOT NULL, 
	dial_call_sid VARCHAR(64), 
	status VARCHAR(20), 
	duration_seconds INTEGER, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_sid, step)
);
INSERT INTO "call_legs" VALUES(1,'CAold1',0,'cabinet-martin','+33142001122','CAleg1','no-answer',0,'2026-11-20 09:30:00.000000');
CREATE TABLE calls (
	id INTEGER NOT NULL, 
	call_sid VARCHAR(64) NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	caller VARCHAR(32) NOT NULL, 
	called VARCHAR(32) NOT NULL, 
	started_at DATETIME NOT NULL, 
	was_open BOOLEAN NOT NULL, 
	reason VARCHAR(300), 
	chain VARCHAR(500) NOT NULL, 
	outcome VARCHAR(20), 
	office_id VARCHAR(64), 
	recording_url VARCHAR(500), 
	recording_seconds INTEGER, 
	status VARCHAR(20), 
	duration_seconds INTEGER, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_sid)
);
INSERT INTO "calls" VALUES(1,'CAold1','cabinet-dupont','+33698765432','+33186951234','2026-11-20 09:30:00.000000',0,'Congés','cabinet-martin,permanence-sante','voicemail',NULL,'https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1',23,'completed',80,'2026-11-20 09:30:00.000000');
CREATE TABLE follow_ups (
	id INTEGER NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	period_key VARCHAR(300) NOT NULL, 
	patient VARCHAR(32) NOT NULL, 
	done_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (practice_id, period_key, patient)
);
INSERT INTO "follow_ups" VALUES(1,'cabinet-dupont','k1','+33698765432','2026-11-20 09:30:00.000000');
CREATE TABLE messages (
	id INTEGER NOT NULL, 
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
	next_attempt_at DATETIME NOT NULL, 
	claimed_until DATETIME, 
	last_error VARCHAR(500), 
	error_code INTEGER, 
	provider_id VARCHAR(200), 
	segments INTEGER, 
	dedupe_key VARCHAR(300), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (provider_id), 
	UNIQUE (dedupe_key)
);
INSERT INTO "messages" VALUES(1,'sms','cabinet-dupont','auto_reply','+33698765432','+33186951234',NULL,'Le cabinet est fermé.',NULL,'queued',0,'2026-11-20 09:30:00.000000',NULL,NULL,NULL,NULL,NULL,'auto_reply:x','2026-11-20 09:30:00.000000','2026-11-20 09:30:00.000000');
CREATE TABLE notices (
	id INTEGER NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	office_id VARCHAR(64) NOT NULL, 
	period_key VARCHAR(300) NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	slot VARCHAR(40) NOT NULL, 
	version VARCHAR(20) NOT NULL, 
	period_start DATETIME NOT NULL, 
	period_end DATETIME NOT NULL, 
	state VARCHAR(12) NOT NULL, 
	message_id INTEGER, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (practice_id, office_id, period_key, kind, slot)
);
INSERT INTO "notices" VALUES(1,'cabinet-dupont','cabinet-martin','k1','briefing','7d','v1','2026-11-20 09:30:00.000000','2026-11-20 09:30:00.000000','queued',1,'2026-11-20 09:30:00.000000');
CREATE TABLE opt_outs (
	number VARCHAR(32) NOT NULL, 
	keyword VARCHAR(20) NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (number)
);
INSERT INTO "opt_outs" VALUES('+33611111111','STOP','2026-11-20 09:30:00.000000');
CREATE TABLE texts (
	id INTEGER NOT NULL, 
	message_sid VARCHAR(64) NOT NULL, 
	practice_id VARCHAR(64) NOT NULL, 
	sender VARCHAR(32) NOT NULL, 
	called VARCHAR(32) NOT NULL, 
	body TEXT NOT NULL, 
	media TEXT NOT NULL, 
	received_at DATETIME NOT NULL, 
	was_open BOOLEAN, 
	reason VARCHAR(300), 
	handling VARCHAR(20), 
	forwarded_to VARCHAR(320), 
	office_id VARCHAR(64), 
	replied BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (message_sid)
);
INSERT INTO "texts" VALUES(1,'SMold1','cabinet-dupont','+33698765432','+33186951234','J''ai mal aux dents','','2026-11-20 09:30:00.000000',0,'Congés','forwarded','+33612345678','cabinet-martin',0);
CREATE INDEX ix_calls_practice_id ON calls (practice_id);
CREATE INDEX ix_texts_practice_id ON texts (practice_id);
CREATE INDEX ix_messages_practice_id ON messages (practice_id);
CREATE INDEX ix_messages_state ON messages (state);
COMMIT;
