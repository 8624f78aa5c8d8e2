-- 导入进度按字节：文件大小与已读到的位置（接口推送与表单没有文件，两列为空）
ALTER TABLE import_batch ADD COLUMN bytes_total bigint, ADD COLUMN bytes_read bigint;
