select 1 as event_id, timestamp '2024-01-01 00:00:00' as loaded_at
