"""The wording of Relève, in one place: dates and times (`dates`), phone numbers (`numbers`),
names in a sentence (`names`), what callers and offices hear (`greetings`), the texts Relève
sends (`texts`) and what they cost (`segments`), the fixed words of pages and notices (`labels`)."""
