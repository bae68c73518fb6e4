"""The API documentation pages (`/docs`), with Swagger UI served from this process.

FastAPI's own `/docs` loads Swagger UI from a CDN, which leaves a blank page on a network
without internet. The same page is served here with the assets of the `swagger-ui-bundle-v2`
package, so it works offline.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"
#: A one-pixel favicon inline: nothing is fetched from elsewhere.
_FAVICON = "data:image/x-icon;base64,AAABAAEAAQEAAAEAGAAwAAAAFgAAACgAAAABAAAAAgAAAAEAGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD/AAAAAAA="


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` with local Swagger UI assets (create the app with `docs_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=_FAVICON,
        )
