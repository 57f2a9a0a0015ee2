-- batch
DELETE FROM "crm"."Deals" AS x USING (SELECT tableoid AS toid, ctid AS tid FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false) ORDER BY "removed_at" LIMIT $2 FOR UPDATE SKIP LOCKED) AS b WHERE x.tableoid = b.toid AND x.ctid = b.tid;

-- count
SELECT count(*) FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false);

-- stats
SELECT count(*), count(*) FILTER (WHERE "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false)), count(*) FILTER (WHERE coalesce("legal_hold", false)), 0::bigint, min("removed_at"), coalesce(greatest(extract(epoch FROM now() - min("removed_at")), 0), 0)::float8 FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL;

-- restore
UPDATE "crm"."Deals" SET "removed_at" = NULL, "deleted_by" = NULL, "deleted_reason" = NULL WHERE "removed_at" IS NOT NULL AND (id = 1
);

-- forget
DELETE FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND NOT coalesce("legal_hold", false) AND (id = 1
);

-- list (one-column key)
SELECT k, d, b, r, p, s, o FROM (SELECT "id"::text AS k, "removed_at" AS d, "deleted_by"::text AS b, "deleted_reason"::text AS r, "removed_at" + interval '7776000000000 microseconds' AS p, CASE WHEN coalesce("legal_hold", false) THEN 'held' WHEN "removed_at" + interval '7776000000000 microseconds' <= now() THEN 'pending purge' ELSE 'trashed' END AS s, (to_jsonb("Deals".*) ->> 'deleted_op')::bigint AS o FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- list (composite key)
SELECT k, d, b, r, p, s, o FROM (SELECT ROW("a", "b")::text AS k, "removed_at" AS d, "deleted_by"::text AS b, "deleted_reason"::text AS r, "removed_at" + interval '7776000000000 microseconds' AS p, CASE WHEN coalesce("legal_hold", false) THEN 'held' WHEN "removed_at" + interval '7776000000000 microseconds' <= now() THEN 'pending purge' ELSE 'trashed' END AS s, (to_jsonb("Deals".*) ->> 'deleted_op')::bigint AS o FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- list (no key)
SELECT k, d, b, r, p, s, o FROM (SELECT ctid::text AS k, "removed_at" AS d, "deleted_by"::text AS b, "deleted_reason"::text AS r, "removed_at" + interval '7776000000000 microseconds' AS p, CASE WHEN coalesce("legal_hold", false) THEN 'held' WHEN "removed_at" + interval '7776000000000 microseconds' <= now() THEN 'pending purge' ELSE 'trashed' END AS s, (to_jsonb("Deals".*) ->> 'deleted_op')::bigint AS o FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- ids
"id" = ANY ($1::text[]::character varying(20)[]);

-- evicted batch
DELETE FROM softdelete.evicted WHERE id IN (SELECT id FROM softdelete.evicted WHERE table_name = $3::text AND at < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce((content ->> $4::text)::boolean, false) ORDER BY at LIMIT $2);

-- evicted count
SELECT count(*) FROM softdelete.evicted WHERE table_name = ANY ($2::text[]) AND at < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce((content ->> $3::text)::boolean, false);
