"""The class board: rooms an instructor opens, learners join, and results that flow in as they happen.

Storage is a real database reached through SQLAlchemy (SQLite in a file by default, PostgreSQL when
several server processes share the rooms). The pages hand in an engine (from Streamlit's
`st.connection(..., type="sql")`); nothing here imports streamlit.

- `tokens`   room codes, instructor tokens (stored hashed, compared in constant time), nicknames
- `schema`   the tables and their migration on start
- `store`    create, join, submit, close, clear, expire: every rule a visitor could try to break
- `summary`  what the board shows, from the stored rows: the grid, answers, stuck learners, CSV
"""
from .schema import migrate
from .store import BoardError, Store

__all__ = ["BoardError", "Store", "migrate"]
