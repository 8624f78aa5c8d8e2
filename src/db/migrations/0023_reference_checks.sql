-- 参照检查按语句：原始记录与问题所引用的渠道、报告类型、区划与导入批次，由每条语句结束时的一次检查保证，
-- 不再由逐行外键保证（外键每行锁一次被引用的行；两条写入通道同时锁同一个渠道、同一个批次，PostgreSQL 要为此
-- 建多事务锁，导入的数据库时间约五分之一花在这里）。被引用的一方删除或改键时检查是否仍被引用，等同外键的 NO ACTION。
-- 见 docs/architecture.md“参照完整性”。

ALTER TABLE raw_record DROP CONSTRAINT raw_record_channel_fkey, DROP CONSTRAINT raw_record_batch_id_fkey;
ALTER TABLE problem DROP CONSTRAINT problem_channel_fkey, DROP CONSTRAINT problem_kind_code_fkey,
  DROP CONSTRAINT problem_region_code_fkey;

-- The referring side: after each statement, every value its new rows put in a checked column must exist. Arguments:
-- triples of (column, referenced table, referenced column).
CREATE FUNCTION zhd_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
  i integer := 0;
BEGIN
  WHILE i + 2 < TG_NARGS LOOP
    EXECUTE format('SELECT n.v::text FROM (SELECT DISTINCT %1$I AS v FROM new_rows WHERE %1$I IS NOT NULL) n
                    WHERE NOT EXISTS (SELECT 1 FROM %2$I r WHERE r.%3$I = n.v) LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[i + 2])
      INTO bad;
    IF bad IS NOT NULL THEN
      RAISE foreign_key_violation USING MESSAGE = format('%s 引用了不存在的 %s = %s', TG_TABLE_NAME, TG_ARGV[i], bad);
    END IF;
    i := i + 3;
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER raw_record_refs_insert AFTER INSERT ON raw_record REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('channel', 'channel', 'code', 'batch_id', 'import_batch', 'id');
CREATE TRIGGER raw_record_refs_update AFTER UPDATE ON raw_record REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('channel', 'channel', 'code', 'batch_id', 'import_batch', 'id');
CREATE TRIGGER problem_refs_insert AFTER INSERT ON problem REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('channel', 'channel', 'code', 'kind_code', 'report_kind', 'code', 'region_code', 'region', 'code');
CREATE TRIGGER problem_refs_update AFTER UPDATE ON problem REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('channel', 'channel', 'code', 'kind_code', 'report_kind', 'code', 'region_code', 'region', 'code');

-- The referenced side: deleting a row, or changing its key, while a row above still refers to it fails as a foreign
-- key would. Arguments: the key column, then pairs of (referencing table, column). The SHARE lock waits for
-- transactions still writing those tables and holds new ones off until this one ends, so none can slip in between.
CREATE FUNCTION zhd_guard_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text := to_jsonb(OLD) ->> TG_ARGV[0];
  used boolean;
  i integer := 1;
BEGIN
  IF TG_OP = 'UPDATE' AND key IS NOT DISTINCT FROM (to_jsonb(NEW) ->> TG_ARGV[0]) THEN
    RETURN NEW;
  END IF;
  WHILE i + 1 < TG_NARGS LOOP
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', TG_ARGV[i]);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I::text = $1)', TG_ARGV[i], TG_ARGV[i + 1]) INTO used USING key;
    IF used THEN
      RAISE foreign_key_violation USING MESSAGE = format('%s.%s = %s 仍被 %s.%s 引用', TG_TABLE_NAME, TG_ARGV[0], key, TG_ARGV[i], TG_ARGV[i + 1]);
    END IF;
    i := i + 2;
  END LOOP;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER channel_referenced BEFORE DELETE OR UPDATE OF code ON channel
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('code', 'raw_record', 'channel', 'problem', 'channel');
CREATE TRIGGER report_kind_referenced BEFORE DELETE OR UPDATE OF code ON report_kind
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('code', 'problem', 'kind_code');
CREATE TRIGGER region_referenced BEFORE DELETE OR UPDATE OF code ON region
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('code', 'problem', 'region_code');
CREATE TRIGGER import_batch_referenced BEFORE DELETE OR UPDATE OF id ON import_batch
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('id', 'raw_record', 'batch_id');
