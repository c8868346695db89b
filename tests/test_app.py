from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.settings import Settings


def test_app_factory_serves_health_and_openapi(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        assert client.get("/api/health").json()["status"] == "ok"
        assert client.get("/api/openapi.json").status_code == 200
