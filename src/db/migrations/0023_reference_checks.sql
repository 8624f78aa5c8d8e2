-- 参照检查按语句：原始记录与问题所引用的渠道、报告类型、区划与导入批次，由每条语句结束时的一次检查保证，
-- 不再由逐行外键保证（外键每行锁一次被引用的行；两条写入通道同时锁同一个渠道、同一个批次，PostgreSQL 要为此
-- 建多事务锁，导入的数据库时间约五分之一花在这里）。被引用的一方删除或改键时检查是否仍被引用，等同外键的 NO ACTION。
-- 见 docs/architecture.md“参照完整性”。

ALTER TABLE raw_record DROP CONSTRAINT raw_record_channel_fkey, DROP CONSTRAINT raw_record_batch_id_fkey;
ALTER TABLE problem DROP CONSTRAINT problem_channel_fkey, DROP CONSTRAINT problem_kind_code_fkey,
  DROP CONSTRAINT problem_region_code_fkey;

CREATE FUNCTION zhd_check_raw_record_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  SELECT v INTO bad FROM (
    SELECT 'channel = ' || n.channel FROM (SELECT DISTINCT channel FROM new_rows) n
      WHERE NOT EXISTS (SELECT 1 FROM channel c WHERE c.code = n.channel)
    UNION ALL
    SELECT 'batch_id = ' || n.batch_id FROM (SELECT DISTINCT batch_id FROM new_rows WHERE batch_id IS NOT NULL) n
      WHERE NOT EXISTS (SELECT 1 FROM import_batch b WHERE b.id = n.batch_id)
  ) AS missing (v) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE foreign_key_violation USING MESSAGE = format('raw_record 引用了不存在的 %s', bad);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION zhd_check_problem_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  SELECT v INTO bad FROM (
    SELECT 'channel = ' || n.channel FROM (SELECT DISTINCT channel FROM new_rows) n
      WHERE NOT EXISTS (SELECT 1 FROM channel c WHERE c.code = n.channel)
    UNION ALL
    SELECT 'kind_code = ' || n.kind_code FROM (SELECT DISTINCT kind_code FROM new_rows WHERE kind_code IS NOT NULL) n
      WHERE NOT EXISTS (SELECT 1 FROM report_kind k WHERE k.code = n.kind_code)
    UNION ALL
    SELECT 'region_code = ' || n.region_code FROM (SELECT DISTINCT region_code FROM new_rows WHERE region_code IS NOT NULL) n
      WHERE NOT EXISTS (SELECT 1 FROM region r WHERE r.code = n.region_code)
  ) AS missing (v) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE foreign_key_violation USING MESSAGE = format('problem 引用了不存在的 %s', bad);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER raw_record_refs_insert AFTER INSERT ON raw_record REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_raw_record_refs();
CREATE TRIGGER raw_record_refs_update AFTER UPDATE ON raw_record REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_raw_record_refs();
CREATE TRIGGER problem_refs_insert AFTER INSERT ON problem REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_problem_refs();
CREATE TRIGGER problem_refs_update AFTER UPDATE ON problem REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_problem_refs();

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
