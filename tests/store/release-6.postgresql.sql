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
