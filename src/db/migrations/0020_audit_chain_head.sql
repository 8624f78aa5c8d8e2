-- 审计哈希链的链头：在链锁下读取，一次往返完成（先取事务级咨询锁，再用新的快照读最后一行的哈希；
-- READ COMMITTED 下 VOLATILE 函数中的每条语句各取一次快照，所以等锁期间别人提交的行也能读到）。
-- The audit chain's head under the chain lock in one round trip: the lock first, then the head with a fresh snapshot
-- (each statement of a VOLATILE function takes its own in READ COMMITTED), so a writer that committed while we waited
-- for the lock is seen.

CREATE FUNCTION zhd_audit_chain_head(lock_key bigint) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1);
END
$$;
