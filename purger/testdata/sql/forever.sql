-- batch
DELETE FROM "public"."keep" AS x USING (SELECT tableoid AS toid, ctid AS tid FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND "deleted_at" < now() - $1::bigint * interval '1 microsecond' ORDER BY "deleted_at" LIMIT $2 FOR UPDATE SKIP LOCKED) AS b WHERE x.tableoid = b.toid AND x.ctid = b.tid;

-- count
SELECT count(*) FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND "deleted_at" < now() - $1::bigint * interval '1 microsecond';

-- stats
SELECT count(*), 0::bigint, 0::bigint, 0::bigint, min("deleted_at"), coalesce(greatest(extract(epoch FROM now() - min("deleted_at")), 0), 0)::float8 FROM "public"."keep" WHERE "deleted_at" IS NOT NULL;

-- restore
UPDATE "public"."keep" SET "deleted_at" = NULL WHERE "deleted_at" IS NOT NULL AND (id = 1
);

-- forget
DELETE FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND (id = 1
);

-- list (one-column key)
SELECT k, d, b, r, p, s, o FROM (SELECT "id"::text AS k, "deleted_at" AS d, NULL::text AS b, NULL::text AS r, NULL::timestamptz AS p, CASE ELSE 'trashed' END AS s, (to_jsonb("keep".*) ->> 'deleted_op')::bigint AS o FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND "deleted_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- list (composite key)
SELECT k, d, b, r, p, s, o FROM (SELECT ROW("a", "b")::text AS k, "deleted_at" AS d, NULL::text AS b, NULL::text AS r, NULL::timestamptz AS p, CASE ELSE 'trashed' END AS s, (to_jsonb("keep".*) ->> 'deleted_op')::bigint AS o FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND "deleted_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- list (no key)
SELECT k, d, b, r, p, s, o FROM (SELECT ctid::text AS k, "deleted_at" AS d, NULL::text AS b, NULL::text AS r, NULL::timestamptz AS p, CASE ELSE 'trashed' END AS s, (to_jsonb("keep".*) ->> 'deleted_op')::bigint AS o FROM "public"."keep" WHERE "deleted_at" IS NOT NULL AND "deleted_at" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2;

-- ids
"id" = ANY ($1::text[]::character varying(20)[]);

-- evicted batch
DELETE FROM softdelete.evicted WHERE id IN (SELECT id FROM softdelete.evicted WHERE table_name = $3::text AND at < now() - $1::bigint * interval '1 microsecond' ORDER BY at LIMIT $2);

-- evicted count
SELECT count(*) FROM softdelete.evicted WHERE table_name = ANY ($2::text[]) AND at < now() - $1::bigint * interval '1 microsecond';
