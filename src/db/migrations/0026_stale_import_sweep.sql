-- A running import now marks its batch every 20 seconds (intake/pipeline.ts), so one silent for two minutes belongs to
-- a process that died: the sweep looks every minute instead of every ten, and the import page stops showing it running.
UPDATE job_schedule SET cron = '* * * * *' WHERE name = 'intake-stale-batches' AND cron = '*/10 * * * *';
