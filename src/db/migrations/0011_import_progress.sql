-- 导入进度时间：服务中断留下的“导入中”批次据此标为失败（重新导入同一文件即可补齐）
ALTER TABLE import_batch ADD COLUMN progress_at timestamptz NOT NULL DEFAULT now();
INSERT INTO job_schedule (name, cron, kind) VALUES ('intake-stale-batches', '*/10 * * * *', 'intake.failStaleBatches');
