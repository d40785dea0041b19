"""Print the API's OpenAPI document as sorted JSON, to compare it before and after a change.

.venv/bin/python scripts/openapi_dump.py > /tmp/openapi.json
"""

import json
from dataclasses import replace

from sme_hub.app import create_app
from sme_hub.config import load_settings


def main() -> None:
    settings = replace(load_settings(), database_url="postgresql://unused/none")
    app = create_app(settings)
    print(
        json.dumps(
            app.openapi_schema.to_schema(),
            indent=1,
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
