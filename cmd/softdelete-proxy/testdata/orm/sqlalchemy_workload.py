"""A SQLAlchemy workload for softdelete-proxy's tests (cmd/softdelete-proxy/orm_test.go).

python3 sqlalchemy_workload.py schema|workload, with SD_DB_NAME, SD_DB_HOST,
SD_DB_PORT, SD_DB_USER: the ORM with relationships and cascades, unique
columns, delete then recreate, bulk inserts, ON CONFLICT, with_for_update and
savepoints, printing what it sees (the same straight and through the proxy).
"""
import os
import sys

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint, create_engine, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, relationship

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customer"
    id = Column(Integer, primary_key=True)
    login = Column(String(50), unique=True, nullable=False)
    orders = relationship("Order", back_populates="customer", cascade="all, delete-orphan")


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customer.id", ondelete="CASCADE"), nullable=False)
    number = Column(String(20), nullable=False)
    customer = relationship("Customer", back_populates="orders")
    __table_args__ = (UniqueConstraint("customer_id", "number"),)


def engine():
    e = os.environ
    return create_engine(f"postgresql+psycopg2://{e['SD_DB_USER']}@{e['SD_DB_HOST']}:{e['SD_DB_PORT']}/{e['SD_DB_NAME']}?sslmode=disable")


def schema():
    Base.metadata.create_all(engine())


def logins(s):
    return [c.login for c in s.scalars(select(Customer).order_by(Customer.login))]


def workload():
    eng = engine()
    with Session(eng) as s:
        s.add_all([Customer(id=i, login=f"c{i}", orders=[Order(number=f"n{i}")]) for i in range(1, 4)])
        s.commit()
        s.execute(text("SELECT setval(pg_get_serial_sequence('customer', 'id'), (SELECT max(id) FROM customer))"))
        s.execute(text("SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders))"))
        s.commit()
        # delete (the ORM cascades), then the same login, key and order number again
        s.delete(s.get(Customer, 1))
        s.commit()
        print("after delete", logins(s))
        s.add(Customer(id=1, login="c1", orders=[Order(number="n1")]))
        s.commit()
        print("recreated", [(o.customer.login, o.number) for o in s.scalars(select(Order).order_by(Order.number))])
        # a live duplicate still fails
        try:
            s.add(Customer(login="c2"))
            s.commit()
        except IntegrityError:
            s.rollback()
            print("duplicate login refused")
        # ON CONFLICT DO UPDATE / DO NOTHING on a key a deleted row had
        s.execute(text("DELETE FROM orders WHERE customer_id = 3"))
        s.execute(text("DELETE FROM customer WHERE login = 'c3'"))
        s.execute(insert(Customer).values(id=3, login="c3").on_conflict_do_update(index_elements=["id"], set_={"login": "c3 updated"}))
        s.execute(insert(Customer).values(id=2, login="c2").on_conflict_do_nothing())
        s.commit()
        print("upserts", logins(s))
        # bulk, with_for_update, a savepoint rolled back
        s.execute(insert(Order), [{"customer_id": 2, "number": f"b{i}"} for i in range(5)])
        s.commit()
        c2 = s.scalars(select(Customer).where(Customer.login == "c2").with_for_update()).one()
        sp = s.begin_nested()
        s.execute(text("DELETE FROM orders WHERE customer_id = :c"), {"c": c2.id})
        sp.rollback()
        print("orders kept", s.scalar(select(func.count()).select_from(Order).where(Order.customer_id == c2.id)))
        s.execute(text("DELETE FROM orders WHERE customer_id = :c AND number LIKE 'b%'"), {"c": c2.id})
        s.execute(insert(Order), [{"customer_id": 2, "number": f"b{i}"} for i in range(2)])
        s.commit()
        print("orders", s.scalar(select(func.count()).select_from(Order)))
        # the ORM's cascade, then the same customer again
        s.delete(s.scalars(select(Customer).where(Customer.login == "c2")).one())
        s.commit()
        s.add(Customer(id=2, login="c2", orders=[Order(number="b0")]))
        s.commit()
        print("after cascade", logins(s), s.scalar(select(func.count()).select_from(Order)))
    print("done")


if __name__ == "__main__":
    {"schema": schema, "workload": workload}[sys.argv[1]]()
