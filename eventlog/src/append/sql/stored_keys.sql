SELECT k.tenant_id, k.idempotency_key, k.stream_type, k.stream_id, k.outcome
FROM eventlog.idempotency_keys k
JOIN unnest($1::uuid[], $2::text[]) AS wanted(tenant_id, idempotency_key)
  USING (tenant_id, idempotency_key)
