# ruby-pg's protocol-sensitive cases (after its spec/pg/connection_spec.rb:
# single-row mode, rows before the query finishes or fails, non-blocking
# COPY, get_copy_data(nonblock) then cancel), run against SD_DSN. It prints
# what the client saw, one line per fact; the Go test compares the lines
# straight on PostgreSQL and through the proxy.
require "pg"

DSN = ENV.fetch("SD_DSN")
ADMIN = ENV.fetch("SD_ADMIN_DSN")

def out(*parts)
  puts parts.join(" ")
  $stdout.flush
end

conn = PG.connect(DSN)
admin = PG.connect(ADMIN)
pid = conn.exec("SELECT pg_backend_pid()").getvalue(0, 0).to_i
out "backend_pid is the server's:", conn.backend_pid == pid

# single row mode: one PGRES_SINGLE_TUPLE result per row, then an empty
# PGRES_TUPLES_OK
conn.send_query("SELECT generate_series(1,10)")
conn.set_single_row_mode
results = []
loop do
  conn.block
  res = conn.get_result or break
  results << res
end
out "single row mode:", results.length,
    results[0..-2].all? { |r| r.result_status == PG::PGRES_SINGLE_TUPLE && r.ntuples == 1 },
    results.last.result_status == PG::PGRES_TUPLES_OK, results.last.ntuples,
    results[0..-2].map { |r| r.getvalue(0, 0) }.join(",")

# single row mode over a soft-delete table
conn.send_query("SELECT id FROM t ORDER BY id")
conn.set_single_row_mode
ids = []
while (res = conn.get_result)
  ids << res.getvalue(0, 0) if res.ntuples == 1
end
out "single row mode over t:", ids.join(",")

# rows arrive before the entire query is finished: the first row is in
# while the backend still sleeps (pg_stat_activity says so)
conn.send_query("SELECT generate_series(0,999), NULL UNION ALL SELECT 1000, pg_sleep(2)")
conn.set_single_row_mode
first = conn.get_result
first.check
seen = nil
600.times do
  r = admin.exec_params("SELECT state, wait_event FROM pg_stat_activity WHERE pid = $1", [pid])
  state, wait_event = r.getvalue(0, 0), r.getvalue(0, 1)
  if wait_event == "PgSleep"
    seen = "the backend was still in pg_sleep"
    break
  end
  if state != "active"
    seen = "the query had ended (#{state})"
    break
  end
  sleep 0.01
end
rows = [first.values.first]
while (res = conn.get_result)
  res.check
  rows << res.values.first if res.ntuples == 1
end
out "first row", first.values.inspect, "arrived when", seen.inspect, "| rows:", rows.length, "last:", rows.last.inspect

# rows arrive before the entire query fails
conn.exec("CREATE FUNCTION pg_temp.errfunc() RETURNS int AS $$ BEGIN RAISE 'test-error'; END; $$ LANGUAGE plpgsql")
conn.send_query("SELECT generate_series(0,999), NULL UNION ALL SELECT 1000, pg_temp.errfunc()")
conn.set_single_row_mode
first_result = nil
error = nil
begin
  loop do
    res = conn.get_result or break
    res.check
    first_result ||= res
  end
rescue PG::Error => e
  error = "#{e.class} #{e.result&.error_field(PG::PG_DIAG_SQLSTATE)} #{e.result&.error_field(PG::PG_DIAG_MESSAGE_PRIMARY)}"
  conn.get_last_result
end
out "rows before the query fails:", first_result&.result_status == PG::PGRES_SINGLE_TUPLE, error

# non-blocking COPY FROM STDIN
conn.exec("CREATE TEMP TABLE copytable (col1 text)")
conn.exec("COPY copytable FROM STDIN")
conn.setnonblocking(true)
2000.times do |i|
  until conn.put_copy_data("row #{i} #{"x" * 200}\n")
    IO.select(nil, [conn.socket_io], nil, 10)
  end
end
until conn.put_copy_end
  IO.select(nil, [conn.socket_io], nil, 10)
end
until conn.flush
  IO.select(nil, [conn.socket_io], nil, 10)
end
conn.setnonblocking(false)
res = conn.get_last_result
out "non-blocking COPY:", res.cmd_status
out "non-blocking COPY:", conn.exec("SELECT count(*), sum(length(col1)) FROM copytable").values.inspect

# COPY TO STDOUT of a soft-delete table
lines = []
conn.copy_data("COPY t (id, val) TO STDOUT") do
  while (line = conn.get_copy_data)
    lines << line.chomp
  end
end
out "COPY t TO STDOUT:", lines.sort.join(" ")

# get_copy_data(nonblock) returns false before the end, then cancel
begin
  conn.copy_data("COPY (SELECT generate_series(0,999), NULL UNION ALL SELECT 1000, pg_sleep(10)) TO STDOUT") do
    res = nil
    1000.times do
      res = conn.get_copy_data(true)
      break if res == false
    end
    conn.cancel
    out "get_copy_data(nonblock) gave false before the end:", res == false
    while conn.get_copy_data
    end
  end
  out "COPY was not cancelled"
rescue PG::QueryCanceled => e
  out "cancelled:", e.class, e.result&.error_field(PG::PG_DIAG_SQLSTATE)
end
out "after cancel:", conn.exec("SELECT 1").getvalue(0, 0)

# exec_params, prepare, and errors with their fields
conn.prepare("del", "DELETE FROM t WHERE id = $1 RETURNING id")
out "prepared delete:", conn.exec_prepared("del", [2]).cmd_tuples, conn.exec_prepared("del", [3]).cmd_tuples
begin
  conn.exec_params("SELECT $1::int", ["nope"])
rescue PG::Error => e
  r = e.result
  out "error fields:", e.class, r.error_field(PG::PG_DIAG_SQLSTATE), r.error_field(PG::PG_DIAG_MESSAGE_PRIMARY).inspect,
      r.error_field(PG::PG_DIAG_SEVERITY), conn.transaction_status
end
out "pipeline status:", conn.respond_to?(:pipeline_status) ? conn.pipeline_status : "n/a"
conn.finish
admin.finish
out "done"
