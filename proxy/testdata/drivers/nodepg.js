'use strict'
// node-postgres's protocol-sensitive cases (after its integration tests:
// quick-disconnect, pipeline mode, query timeouts, error handling), run
// against SD_DSN. It prints what the client saw, one line per fact; the Go
// test compares the lines straight on PostgreSQL and through the proxy.
const { Client, Query } = require('pg')

const dsn = process.env.SD_DSN
const out = (...parts) => console.log(parts.join(' '))
const failure = (e) => `${e.code || 'no code'} ${e.message}`

// within settles with p, or with label after ms.
function within(p, ms, label) {
  let timer
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve(label), ms) })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

async function quickDisconnect() {
  // connect and end at once, without waiting for the connection (issue #320)
  const c = new Client(dsn)
  const ended = new Promise((resolve) => c.once('end', () => resolve('ended')))
  const connecting = c.connect().then(() => 'connected', (e) => 'connect failed: ' + e.message)
  c.end().catch(() => {})
  out('quick disconnect:', await within(ended, 5000, 'still open after 5s'), '|', await within(connecting, 200, 'still connecting after 200ms'))
  // end() while a query runs
  const d = new Client(dsn)
  await d.connect()
  const running = d.query('SELECT pg_sleep(0.05), 1 AS num').then((r) => 'answered ' + r.rows[0].num, (e) => 'rejected: ' + e.message)
  await d.end()
  out('end() during a query:', await running)
}

async function pipelineMode() {
  const c = new Client({ connectionString: dsn, pipeline: true })
  await c.connect()
  const settled = await Promise.allSettled([
    c.query('SELECT 1 AS num'),
    c.query('SELECT * FROM nonexistent_table_xyz'),
    c.query('SELECT $1::int AS num', [3]),
    c.query({ name: 'same-name', text: 'SELECT $1::int AS n', values: [1] }),
    c.query({ name: 'same-name', text: 'SELECT $1::int AS n', values: [2] }),
    c.query('SELECT 1; SELECT 2'),
    c.query("SELECT ';' AS semicolon, NULL AS nothing"),
    c.query('SELECT id FROM t ORDER BY id'),
  ])
  for (const s of settled) {
    out('pipeline:', s.status, s.status === 'fulfilled' ? `${s.value.command} ${JSON.stringify(s.value.rows)}` : failure(s.reason))
  }
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => c.query('SELECT $1::int AS num', [i])))
  out('pipeline: 50 queries answered in order:', many.every((r, i) => r.rows[0].num === i))
  const ordered = await Promise.all([
    c.query('SELECT 1 AS num, pg_sleep(0.03)'), c.query('SELECT 2 AS num'), c.query('SELECT 3 AS num, pg_sleep(0.01)'),
  ])
  out('pipeline: results in submission order:', ordered.map((r) => r.rows[0].num).join(','))
  await c.query('CREATE TEMP TABLE pipeline_test (id serial, value text)')
  const tx = await Promise.all([
    c.query('BEGIN'),
    c.query("INSERT INTO pipeline_test (value) VALUES ('a') RETURNING id"),
    c.query('ROLLBACK'),
    c.query('SELECT count(*) AS n FROM pipeline_test'),
    c.query('DELETE FROM t WHERE id = $1', [1]),
  ])
  out('pipeline: transaction:', tx.map((r) => `${r.command} ${r.rowCount}`).join(' | '), 'count', tx[3].rows[0].n)
  const rows = []
  await new Promise((resolve, reject) => {
    const q = c.query(new Query('SELECT generate_series(1, 3) AS num'))
    q.on('row', (row) => rows.push(row.num))
    q.on('end', resolve)
    q.on('error', reject)
  })
  out('pipeline: row events:', rows.join(','))
  await c.end()
}

async function queryTimeouts() {
  // client-side query_timeout: the query is given up; the client must not
  // queue work it can never run
  const c = new Client({ connectionString: dsn, query_timeout: 300 })
  c.on('error', () => {})
  await c.connect()
  const first = await c.query('SELECT pg_sleep(2)').then(() => 'answered', (e) => 'rejected: ' + e.message)
  out('query_timeout:', first)
  const next = await within(c.query('SELECT 1').then(() => 'answered', () => 'rejected'), 1500, 'queued forever')
  out('query after the timeout:', next)
  await c.end().catch(() => {})
  // server-side statement_timeout: 57014, and the connection goes on
  const s = new Client({ connectionString: dsn, statement_timeout: 100 })
  await s.connect()
  out('statement_timeout:', await s.query('SELECT pg_sleep(2)').then(() => 'answered', failure))
  out('after statement_timeout:', (await s.query('SELECT 42 AS answer')).rows[0].answer)
  await s.end()
}

async function errors() {
  const c = new Client(dsn)
  c.on('error', (e) => out('unexpected error event', e.message))
  await c.connect()
  await c.query('CREATE TEMP TABLE boom (age integer PRIMARY KEY); INSERT INTO boom (age) VALUES (28)')
  const cases = [
    ['parse error', { text: 'select * from bang where name = $1', values: ['0'] }],
    ['bind error', { text: 'select * from boom where age = $1', values: ['asldkfjasdf'] }],
    ['simple query error', "select eeeee from yodas_dsflsd where pixistix = 'zoiks!!!'"],
    ['unique violation', { text: 'INSERT INTO boom VALUES ($1)', values: [28] }],
    ['non-array values', null],
  ]
  for (const [name, q] of cases) {
    let r
    if (q === null) {
      r = await c.query('select $1::text as name', 'foo').then(() => 'answered', (e) => 'rejected: ' + (e instanceof Error))
    } else {
      r = await c.query(q).then(() => 'answered', (e) =>
        [e.severity, e.code, e.message, e.detail, e.constraint, e.position].map((v) => v === undefined ? '-' : v).join(' | '))
    }
    const after = (await c.query('select age from boom')).rows.map((row) => row.age).join(',')
    out(`error ${name}:`, r, '| then', after)
  }
  await c.query('BEGIN')
  out('in a failed transaction:', await c.query('SELECT 1/0').then(() => 'answered', failure),
    '|', await c.query('SELECT 1').then(() => 'answered', failure))
  await c.query('ROLLBACK')
  out('after ROLLBACK:', (await c.query('SELECT count(*) AS n FROM t')).rows[0].n)
  await c.end()
  const closed = await c.query('SELECT 1').then(() => 'answered', (e) => e.message)
  out('query after end():', closed)
}

async function main() {
  await quickDisconnect()
  await pipelineMode()
  await queryTimeouts()
  await errors()
  out('done')
}

main().catch((e) => {
  console.error('FAILED:', e)
  process.exit(1)
})
