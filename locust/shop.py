"""Load test of the ShopFDS demo shop for Locust 2.x.

    locust -f locust/shop.py --headless -u 15 -r 5 -t 20s --host http://127.0.0.1:3000
    shopfds-test perf locust/shop.py --users 15 --spawn-rate 5 --duration 20s

Each simulated shopper signs up once (its own account and device), then browses the catalog,
logs in again now and then, puts a cheap item in the cart and checks out (the FDS approves a
19,000 KRW order from the signup device to a Korean address), and scores synthetic transactions
with the FDS. Requests are named by route so every route is one row of Locust's statistics.
"""
import random
import time
import uuid

from locust import HttpUser, between, task

JSON = {"Accept": "application/json"}
AMOUNTS = [19000, 129000, 649000, 1890000]


class Shopper(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self):
        unique = f"{uuid.uuid4().hex[:12]}-{int(time.time() * 1000)}"
        self.email = f"locust-{unique}@shopfds.test"
        self.password = "locust-password-1"
        self.device_id = f"locust-device-{unique}"
        self.token = None
        with self.client.post(
            "/api/auth/signup",
            json={"name": "Locust shopper", "email": self.email, "password": self.password, "deviceId": self.device_id},
            headers=JSON,
            name="POST /api/auth/signup",
            catch_response=True,
        ) as res:
            if res.status_code == 201 and isinstance(_json(res).get("token"), str):
                self.token = _json(res)["token"]
                res.success()
            else:
                res.failure(f"signup: expected 201 with a token, got {res.status_code}")

    def _auth(self):
        return {**JSON, "Authorization": f"Bearer {self.token}"}

    @task(4)
    def browse(self):
        with self.client.get("/api/products", headers=JSON, name="GET /api/products", catch_response=True) as res:
            products = _json(res).get("products")
            if res.status_code != 200 or not isinstance(products, list) or not products:
                res.failure(f"products: expected 200 with the catalog, got {res.status_code}")
        product_id = f"p-00{random.randint(1, 8)}"
        self.client.get(f"/api/products/{product_id}", headers=JSON, name="GET /api/products/:id")

    @task(1)
    def log_in(self):
        with self.client.post(
            "/api/auth/login",
            json={"email": self.email, "password": self.password, "deviceId": self.device_id},
            headers=JSON,
            name="POST /api/auth/login",
            catch_response=True,
        ) as res:
            if res.status_code == 200 and isinstance(_json(res).get("token"), str):
                self.token = _json(res)["token"]
            else:
                res.failure(f"login: expected 200 with a token, got {res.status_code}")

    @task(1)
    def buy(self):
        if not self.token:
            return
        self.client.post("/api/cart", json={"productId": "p-001", "quantity": 1}, headers=self._auth(), name="POST /api/cart")
        order = {
            "cardNumber": "4242424242424242",
            "cardCountry": "KR",
            "shippingAddress": {"recipient": "Locust shopper", "line1": "1 Load-ro", "city": "Seoul", "postalCode": "06164", "country": "KR"},
            "deviceId": self.device_id,
        }
        with self.client.post("/api/orders", json=order, headers=self._auth(), name="POST /api/orders", catch_response=True) as res:
            decision = ((_json(res).get("order") or {}).get("fds") or {}).get("decision")
            if res.status_code != 201 or decision not in ("approve", "review", "block"):
                res.failure(f"order: expected 201 with an FDS decision, got {res.status_code}")

    @task(2)
    def score(self):
        body = {
            "amount": random.choice(AMOUNTS),
            "cardCountry": "KR" if random.random() < 0.8 else "US",
            "shippingCountry": "KR",
            "newDevice": random.random() < 0.2,
            "newAddress": random.random() < 0.3,
            "recentOrders": 0,
        }
        with self.client.post("/api/fds/score", json=body, headers=JSON, name="POST /api/fds/score", catch_response=True) as res:
            score = _json(res).get("score")
            if res.status_code != 200 or not isinstance(score, int) or not 0 <= score <= 100:
                res.failure(f"fds: expected 200 with a score in 0..100, got {res.status_code}")


def _json(res):
    try:
        body = res.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}
