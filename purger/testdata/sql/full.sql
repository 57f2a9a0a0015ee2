-- batch
DELETE FROM "crm"."Deals" AS x USING (SELECT tableoid AS toid, ctid AS tid FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false) ORDER BY "removed_at" LIMIT $2 FOR UPDATE SKIP LOCKED) AS b WHERE x.tableoid = b.toid AND x.ctid = b.tid;

-- count
SELECT count(*) FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false);

-- stats
SELECT count(*), count(*) FILTER (WHERE "removed_at" < now() - $1::bigint * interval '1 microsecond' AND NOT coalesce("legal_hold", false)), min("removed_at"), coalesce(greatest(extract(epoch FROM now() - min("removed_at")), 0), 0)::float8 FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL;

-- restore
UPDATE "crm"."Deals" SET "removed_at" = NULL, "deleted_by" = NULL, "deleted_reason" = NULL WHERE "removed_at" IS NOT NULL AND (id = 1
);

-- forget
DELETE FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND NOT coalesce("legal_hold", false) AND (id = 1
);

-- list (one-column key)
SELECT "id"::text, "removed_at", "deleted_by"::text, "deleted_reason"::text, "removed_at" + interval '7776000000000 microseconds', coalesce("legal_hold", false), (to_jsonb("Deals".*) ->> 'deleted_op')::bigint FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond' ORDER BY "removed_at" LIMIT $2;

-- list (composite key)
SELECT ROW("a", "b")::text, "removed_at", "deleted_by"::text, "deleted_reason"::text, "removed_at" + interval '7776000000000 microseconds', coalesce("legal_hold", false), (to_jsonb("Deals".*) ->> 'deleted_op')::bigint FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond' ORDER BY "removed_at" LIMIT $2;

-- list (no key)
SELECT ctid::text, "removed_at", "deleted_by"::text, "deleted_reason"::text, "removed_at" + interval '7776000000000 microseconds', coalesce("legal_hold", false), (to_jsonb("Deals".*) ->> 'deleted_op')::bigint FROM "crm"."Deals" WHERE "removed_at" IS NOT NULL AND "removed_at" <= now() - $1::bigint * interval '1 microsecond' ORDER BY "removed_at" LIMIT $2;

-- ids
"id" = ANY ($1::text[]::character varying(20)[]);
