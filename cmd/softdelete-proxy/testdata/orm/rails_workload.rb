# A Rails (ActiveRecord) workload for softdelete-proxy's tests (cmd/softdelete-proxy/orm_test.go).
#
# ruby rails_workload.rb schema|workload, with SD_DB_NAME, SD_DB_HOST, SD_DB_PORT,
# SD_DB_USER. "schema" creates the tables with ActiveRecord::Schema.define;
# "workload" runs models as a Rails app writes them: has_many with dependent:
# :destroy and :delete_all, uniqueness validations, fixtures with explicit ids
# and reset_pk_sequence!, destroy then create! with the same id and unique
# values, insert_all and upsert_all, update_all and delete_all, joins, lock in
# transactions, savepoints, with prepared statements (the Rails default) and,
# through a second connection, without. It prints what it sees: the same
# straight on PostgreSQL and through the proxy.
require "active_record"
require "pg"

CONFIG = {
  adapter: "postgresql", database: ENV.fetch("SD_DB_NAME"), host: ENV.fetch("SD_DB_HOST"),
  port: Integer(ENV.fetch("SD_DB_PORT")), username: ENV.fetch("SD_DB_USER"), sslmode: "disable",
  prepared_statements: true
}.freeze
FIXED_TIME = Time.utc(2024, 1, 1)

ActiveRecord::Base.logger = nil
ActiveRecord::Migration.verbose = false
ActiveRecord::Base.establish_connection(CONFIG)

class ApplicationRecord < ActiveRecord::Base
  self.abstract_class = true
end

class Publisher < ApplicationRecord
  has_many :authors, primary_key: :code, foreign_key: :publisher_code
  validates :code, uniqueness: true
end

class Author < ApplicationRecord
  belongs_to :publisher, primary_key: :code, foreign_key: :publisher_code, optional: true
  has_many :books, dependent: :destroy
  has_many :reviews, through: :books
  validates :email, uniqueness: true
end

class Book < ApplicationRecord
  belongs_to :author
  has_many :reviews, dependent: :delete_all
  has_many :taggings, dependent: :delete_all
  has_many :tags, through: :taggings
  validates :isbn, uniqueness: true
end

class Review < ApplicationRecord
  belongs_to :book, optional: true
end

class Tag < ApplicationRecord
  has_many :taggings, dependent: :destroy
  has_many :books, through: :taggings
  validates :slug, uniqueness: true
end

class Tagging < ApplicationRecord
  belongs_to :book
  belongs_to :tag
end

# The same tables through a connection with prepared_statements: false.
class Unprepared < ActiveRecord::Base
  self.abstract_class = true
  establish_connection(CONFIG.merge(prepared_statements: false))
end

class PlainAuthor < Unprepared
  self.table_name = "authors"
  has_many :books, class_name: "PlainBook", foreign_key: :author_id, dependent: :delete_all
  validates :email, uniqueness: true
end

class PlainBook < Unprepared
  self.table_name = "books"
  belongs_to :author, class_name: "PlainAuthor"
end

def schema
  ActiveRecord::Schema.define(version: 1) do
    create_table :publishers do |t|
      t.string :code, null: false
      t.string :name, null: false
      t.index :code, unique: true
    end
    create_table :authors do |t|
      t.string :email, null: false
      t.string :name, null: false
      t.string :publisher_code
      t.timestamps
      t.index :email, unique: true
    end
    add_foreign_key :authors, :publishers, column: :publisher_code, primary_key: :code, on_delete: :nullify
    create_table :books do |t|
      t.references :author, null: false, foreign_key: { on_delete: :cascade }
      t.string :isbn, null: false
      t.string :title, null: false
      t.integer :stock, null: false, default: 0
    end
    add_index :books, :isbn, unique: true
    create_table :reviews do |t|
      t.references :book, foreign_key: { on_delete: :nullify }
      t.integer :stars, null: false
    end
    add_index :reviews, %i[book_id stars], unique: true
    create_table :tags do |t|
      t.string :slug, null: false
      t.index :slug, unique: true
    end
    create_table :taggings do |t|
      t.references :book, null: false, foreign_key: { on_delete: :cascade }
      t.references :tag, null: false, foreign_key: { on_delete: :cascade }
      t.index %i[book_id tag_id], unique: true
    end
  end
end

def show(label, value)
  puts "#{label} #{value.inspect}"
end

def pg_error(error)
  result = error.cause.respond_to?(:result) ? error.cause.result : nil
  fields = [PG::Result::PG_DIAG_SQLSTATE, PG::Result::PG_DIAG_CONSTRAINT_NAME].map { |f| result&.error_field(f) }
  "#{error.class} #{fields.join(' ')}"
end

def authors
  Author.order(:id).pluck(:id, :email, :name, :publisher_code)
end

def fixtures
  Publisher.insert_all([{ id: 1, code: "p1", name: "P1" }, { id: 2, code: "p2", name: "P2" }])
  Author.insert_all((1..3).map do |i|
    { id: i, email: "a#{i}@x", name: "A#{i}", publisher_code: "p#{(i % 2) + 1}", created_at: FIXED_TIME, updated_at: FIXED_TIME }
  end)
  conn = ActiveRecord::Base.connection
  %w[publishers authors].each { |t| conn.reset_pk_sequence!(t) }
  show("next author id", Author.create!(email: "a4@x", name: "A4").id)
  Author.find(1).books.create!(isbn: "111", title: "one")
  Author.find(2).books.create!(isbn: "222", title: "two")
  book = Book.find_by!(isbn: "111")
  book.reviews.create!(stars: 5)
  book.tags << Tag.create!(slug: "sf")
  Book.find_by!(isbn: "222").reviews.create!(stars: 4)
  show("books", Book.order(:id).pluck(:id, :isbn, :author_id))
end

def destroy_and_recreate
  a1 = Author.find(1)
  a1.destroy
  show("authors after destroy", authors)
  show("books, reviews, taggings", [Book.count, Review.count, Tagging.count])
  begin
    a1.reload
  rescue ActiveRecord::RecordNotFound => e
    show("reload", e.class.name)
  end
  show("exists?", [Author.exists?(1), Author.exists?(email: "a1@x"), Book.exists?(isbn: "111")])
  again = Author.create!(id: 1, email: "a1@x", name: "again", publisher_code: "p2")
  again.books.create!(isbn: "111", title: "one again").reviews.create!(stars: 5)
  show("recreated", Book.joins(:author).where(isbn: "111").pluck(:isbn, :title, "authors.name"))
end

def live_duplicates
  dup = Author.new(email: "a2@x", name: "dup")
  show("valid?", [dup.valid?, dup.errors.full_messages])
  begin
    dup.save!(validate: false)
  rescue ActiveRecord::RecordNotUnique => e
    show("save without validation", pg_error(e))
  end
  begin
    Author.create!(id: 2, email: "new@x", name: "same id")
  rescue ActiveRecord::RecordNotUnique => e
    show("same live id", pg_error(e))
  end
end

def finders
  a3, = Author.find_or_create_by!(email: "a3@x") { |a| a.name = "not used" }
  show("found", [a3.id, a3.name])
  Tag.find_by!(slug: "sf").destroy
  show("tag exists?", Tag.exists?(slug: "sf"))
  tag = Tag.find_or_create_by!(slug: "sf")
  show("tag recreated", [tag.slug, Tag.count])
  Book.where(isbn: %w[111 222]).order(:isbn).each { |b| b.tags << tag }
end

def bulk
  Author.find(3).destroy
  inserted = Author.insert_all([
    { email: "a3@x", name: "A3 inserted", created_at: FIXED_TIME, updated_at: FIXED_TIME },
    { email: "a2@x", name: "ignored", created_at: FIXED_TIME, updated_at: FIXED_TIME }
  ])
  show("insert_all", inserted.rows)
  upserted = Author.upsert_all([
    { email: "a2@x", name: "A2 upserted", created_at: FIXED_TIME, updated_at: FIXED_TIME },
    { email: "a5@x", name: "A5", created_at: FIXED_TIME, updated_at: FIXED_TIME }
  ], unique_by: :email)
  show("upsert_all by email", upserted.rows)
  Author.find(4).destroy
  Author.upsert_all([{ id: 4, email: "a4@x", name: "A4 upserted", created_at: FIXED_TIME, updated_at: FIXED_TIME }])
  show("authors", authors)
  Book.insert_all((0...5).map { |i| { author_id: 2, isbn: "b#{i}", title: "bulk" } })
  Book.where(author_id: 2).update_all(stock: 5)
  Book.where.not(author_id: 2).update_all("stock = stock + 1")
  show("stock", Book.order(:isbn).pluck(:isbn, :stock))
  Book.where("isbn LIKE 'b%'").where(isbn: %w[b0 b1]).delete_all
  Book.insert_all([{ author_id: 2, isbn: "b0", title: "bulk again" }, { author_id: 2, isbn: "b1", title: "bulk again" }])
  show("bulk again", Book.where(title: "bulk again").order(:isbn).pluck(:isbn))
end

def queries
  show("left_outer_joins count", Author.left_outer_joins(:books).group("authors.email").order("authors.email").count("books.id"))
  show("joins distinct", Author.joins(:books).distinct.order(:email).pluck(:email))
  show("includes", Author.includes(:books).order(:id).map { |a| [a.email, a.books.map(&:isbn).sort] })
  show("eager_load where", Author.eager_load(:books).where(books: { title: "bulk" }).order(:id).pluck(:email).uniq)
  show("sum by author", Book.group(:author_id).order(:author_id).sum(:stock))
  show("through", Author.joins(:reviews).order(:email).pluck(:email, "reviews.stars"))
  show("publisher authors", Publisher.includes(:authors).order(:code).map { |p| [p.code, p.authors.map(&:email).sort] })
  show("where.not", Author.where.not(publisher_code: nil).where.not(email: "a2@x").order(:id).pluck(:email))
end

def transactions
  Author.transaction do
    a2 = Author.lock.find_by!(email: "a2@x")
    a2.update!(name: "locked")
    Author.transaction(requires_new: true) do
      a2.books.destroy_all
      show("inside savepoint", a2.books.reload.size)
      raise ActiveRecord::Rollback
    end
    show("after savepoint rollback", a2.books.reload.size)
    begin
      Author.transaction(requires_new: true) { Book.create!(author: a2, isbn: "x", title: "x").update_columns(isbn: "b2") }
    rescue ActiveRecord::RecordNotUnique => e
      show("savepoint refused", pg_error(e))
    end
    Author.transaction(requires_new: true) do
      a2.books.where(isbn: "b3").destroy_all
      a2.books.create!(isbn: "b3", title: "savepoint")
    end
    a2.lock!
    show("locked again", a2.name)
  end
  show("after commit", Book.where(isbn: %w[b3 x]).order(:isbn).pluck(:isbn, :title))
  Author.transaction do
    a5 = Author.lock.find_by!(email: "a5@x")
    a5.destroy
    Author.create!(id: a5.id, email: "a5@x", name: "rolled back")
    raise ActiveRecord::Rollback
  end
  show("after rollback", Author.where(email: "a5@x").pluck(:id, :name))
end

def database_actions
  Book.joins(:author).where(authors: { email: "a1@x" }).delete_all
  show("reviews nullified, taggings cascaded", [Review.where(book_id: nil).count, Tagging.count])
  Publisher.where(code: "p1").delete_all
  show("publisher codes nullified", authors.map(&:last))
  Publisher.create!(id: 1, code: "p1", name: "P1 again")
  Author.where(id: [1, 2]).update_all(publisher_code: "p1")
  show("publishers", Publisher.order(:id).pluck(:id, :code, :name))
  Tag.destroy_all
  show("tags after destroy_all", [Tag.exists?, Tagging.count])
  Tag.create!(slug: "sf")
end

def sequence_reset
  Author.create!(email: "s1@x", name: "S1")
  top = Author.create!(email: "s2@x", name: "S2")
  top.destroy
  ActiveRecord::Base.connection.reset_pk_sequence!("authors")
  show("next id after reset", [top.id, Author.create!(email: "s2@x", name: "after reset").id])
end

def unprepared
  a = PlainAuthor.find_by!(email: "a2@x")
  a.destroy
  show("plain exists?", [PlainAuthor.exists?(a.id), PlainBook.where(author_id: a.id).count])
  again = PlainAuthor.create!(id: a.id, email: "a2@x", name: "plain again")
  again.books.create!(isbn: "b0", title: "plain")
  PlainAuthor.transaction do
    locked = PlainAuthor.lock.where.not(id: 1).order(:id).first
    show("plain locked", [locked.id, locked.email])
    PlainAuthor.transaction(requires_new: true) do
      PlainBook.where(author_id: again.id).delete_all
      raise ActiveRecord::Rollback
    end
  end
  show("plain books", PlainBook.joins(:author).where(authors: { email: "a2@x" }).pluck(:isbn, :title))
  show("plain count", [PlainAuthor.count, PlainBook.count])
end

def workload
  fixtures
  destroy_and_recreate
  live_duplicates
  finders
  bulk
  queries
  transactions
  database_actions
  sequence_reset
  unprepared
  show("final authors", authors)
  show("final books", Book.order(:isbn).pluck(:isbn, :author_id, :title))
  puts "done"
end

{ "schema" => method(:schema), "workload" => method(:workload) }.fetch(ARGV.fetch(0)).call
