-- 导入时少做的数据库工作（见 docs/architecture.md“参照完整性”“导入时的索引”）：
-- 1. problem_source 对 problem、raw_record 的引用也按语句检查（同 0023），不再逐行外键检查；
-- 2. 被引用一方的检查按列的原类型比较（0023 转成 text 比较，用不上引用表的索引）；
-- 3. 分拣前为空的检索向量、领域不进索引：新问题不再各插一个空值项，查询条件本身就排除空值；
-- 4. problem_source 的 (channel, external_id) 索引去掉：按记录找问题经 raw_record 的唯一索引。

ALTER TABLE problem_source DROP CONSTRAINT problem_source_problem_id_fkey, DROP CONSTRAINT problem_source_raw_record_id_fkey;

CREATE TRIGGER problem_source_refs_insert AFTER INSERT ON problem_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('problem_id', 'problem', 'id', 'raw_record_id', 'raw_record', 'id');
CREATE TRIGGER problem_source_refs_update AFTER UPDATE ON problem_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION zhd_check_references('problem_id', 'problem', 'id', 'raw_record_id', 'raw_record', 'id');

-- Same contract as in 0023; the referring column is compared with the old row's key as it is typed, so that the
-- referring table's index on that column answers it.
CREATE OR REPLACE FUNCTION zhd_guard_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
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
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = ($1).%I)', TG_ARGV[i], TG_ARGV[i + 1], TG_ARGV[0]) INTO used USING OLD;
    IF used THEN
      RAISE foreign_key_violation USING MESSAGE = format('%s.%s = %s 仍被 %s.%s 引用', TG_TABLE_NAME, TG_ARGV[0], key, TG_ARGV[i], TG_ARGV[i + 1]);
    END IF;
    i := i + 2;
  END LOOP;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER problem_referenced BEFORE DELETE OR UPDATE OF id ON problem
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('id', 'problem_source', 'problem_id');
CREATE TRIGGER raw_record_referenced BEFORE DELETE OR UPDATE OF id ON raw_record
  FOR EACH ROW EXECUTE FUNCTION zhd_guard_referenced('id', 'problem_source', 'raw_record_id');

DROP INDEX problem_search;
CREATE INDEX problem_search ON problem USING gin (search_tsv) WHERE search_tsv IS NOT NULL;
DROP INDEX problem_domain;
CREATE INDEX problem_domain ON problem (domain_code, reported_at DESC) WHERE domain_code IS NOT NULL;

DROP INDEX problem_source_record;
