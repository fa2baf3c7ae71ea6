"""Flask + flask-cors peer for tests/differential/run.sh, configured the way the guide does it:
policy "origin https://frontend.example.com, methods GET and POST,
headers Content-Type and Authorization, credentials"."""
import sys

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    origins=["https://frontend.example.com"],
    methods=["GET", "POST"],
    allow_headers=["Content-Type", "Authorization"],
    supports_credentials=True,
)


@app.get("/api/data")
def get_data():
    return "data"


@app.post("/api/data")
def post_data():
    return "posted"


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
