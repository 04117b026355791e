"""HTTP routes as Chalice blueprints, one per domain; app.py registers them."""

# Bodies are checked by chalicelib.http after the key and role checks (the contract's order), so the
# routes accept any media type and http.body answers 415 itself.
ANY_BODY = ["*/*"]
